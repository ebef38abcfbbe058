-- Hand-written (docs/decisions/0019-toll-fraud-and-delivery-outbox.md).

-- A send the platform refused on its own (toll-fraud class, no route, country not allowed) is
-- `refused`, not `failed`: nothing reached the carrier. Also the R26 record's delivery status.
ALTER TYPE "message_status" ADD VALUE IF NOT EXISTS 'refused';

-- The message row is the delivery outbox: it keeps the code sealed for its message id
-- (AES-256-GCM, AAD `code:<tenant>:<message>`, the same sealed value the job carries) and the
-- requested caller ID, so a sweeper can enqueue the job again when the enqueue after commit failed.
-- The code is cleared when the authentication ends.
ALTER TABLE "messages"
  ADD COLUMN "code_key_id" TEXT,
  ADD COLUMN "code_ciphertext" BYTEA,
  ADD COLUMN "caller_id" TEXT;

-- The sweeper's lookups: messages that still hold a code, oldest first. Small by construction: a
-- code is cleared within seconds after its authentication ends (at most minutes of messages).
CREATE INDEX "messages_outbox_idx" ON "messages" ("created_at") WHERE "code_ciphertext" IS NOT NULL;

-- Tenant delivery policy: where SMS/voice may go (default: DEFAULT_DELIVERY_COUNTRIES of
-- libs/delivery/contracts, the same list; a test compares them), the hourly
-- cap per destination country (null = platform default), and the region that reads numbers typed
-- without a country code (null = such numbers are refused).
ALTER TABLE "tenants"
  ADD COLUMN "delivery_countries" TEXT[] NOT NULL DEFAULT ARRAY['US', 'CA', 'GB', 'IE', 'DE', 'FR', 'NL', 'BE', 'AT', 'CH', 'DK', 'SE', 'NO', 'FI', 'AU', 'NZ']::TEXT[],
  ADD COLUMN "sms_velocity_per_hour" INTEGER,
  ADD COLUMN "phone_default_region" TEXT DEFAULT 'US';
-- Rules as a BEFORE trigger, not CHECK constraints (the offline Wasm schema engine, decision 0002).
CREATE FUNCTION "twofold_tenants_delivery_policy"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sms_velocity_per_hour IS NOT NULL AND NEW.sms_velocity_per_hour <= 0 THEN
    RAISE EXCEPTION 'sms_velocity_per_hour_invalid' USING ERRCODE = '23514';
  END IF;
  IF NEW.phone_default_region IS NOT NULL AND NEW.phone_default_region !~ '^[A-Z]{2}$' THEN
    RAISE EXCEPTION 'phone_default_region_invalid' USING ERRCODE = '23514';
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(NEW.delivery_countries) c WHERE c IS NULL OR c !~ '^[A-Z]{2}$') THEN
    RAISE EXCEPTION 'delivery_countries_invalid' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "tenants_delivery_policy"
  BEFORE INSERT OR UPDATE OF "sms_velocity_per_hour", "phone_default_region", "delivery_countries" ON "tenants"
  FOR EACH ROW EXECUTE FUNCTION "twofold_tenants_delivery_policy"();

-- Queued messages older than p_seconds that still hold a code and whose authentication is pending
-- and not expired, across tenants (the delivery sweeper runs before any tenant is known; it reads
-- and enqueues each inside that tenant's scope).
CREATE FUNCTION "twofold_outbox_messages"(p_seconds integer, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT m.tenant_id, m.id FROM messages m
   WHERE m.status = 'queued' AND m.code_ciphertext IS NOT NULL
     AND m.created_at <= now() - make_interval(secs => p_seconds)
     AND EXISTS (SELECT 1 FROM authentications a
                  WHERE a.tenant_id = m.tenant_id AND a.id = m.authentication_id
                    AND a.status = 'pending' AND a.expires_at > now())
   ORDER BY m.created_at
   LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION "twofold_outbox_messages"(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_outbox_messages"(integer, integer) TO twofold_app;

-- Clears the sealed codes of messages whose authentication has ended (or expired), across tenants;
-- the delivery sweeper calls it every round. Returns how many rows it cleared.
CREATE FUNCTION "twofold_clear_ended_codes"(p_limit integer)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  WITH ended AS (
    SELECT m.tenant_id, m.id FROM messages m
     WHERE m.code_ciphertext IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM authentications a
                        WHERE a.tenant_id = m.tenant_id AND a.id = m.authentication_id
                          AND a.status = 'pending' AND a.expires_at > now())
     ORDER BY m.created_at
     LIMIT p_limit
     FOR UPDATE OF m SKIP LOCKED
  ), cleared AS (
    UPDATE messages m SET code_key_id = NULL, code_ciphertext = NULL
      FROM ended WHERE m.tenant_id = ended.tenant_id AND m.id = ended.id
    RETURNING 1
  )
  SELECT count(*)::int FROM cleared
$$;
REVOKE ALL ON FUNCTION "twofold_clear_ended_codes"(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_clear_ended_codes"(integer) TO twofold_app;
