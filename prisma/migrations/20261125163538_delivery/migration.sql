-- Delivery (issue 5, docs/decisions/0012-delivery.md). Hand-written.

-- Per-code send rate; null = the worker's SHORT_CODE_RATE_PER_SECOND.
ALTER TABLE "short_codes" ADD COLUMN "rate_limit_per_second" INTEGER;

-- Rules as BEFORE triggers, not CHECK constraints: the Wasm schema engine of our offline Prisma
-- route crashes ("RuntimeError: unreachable") on a database with CHECK constraints (decision 0003).
CREATE FUNCTION "twofold_sender_rate_positive"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.rate_limit_per_second IS NOT NULL AND NEW.rate_limit_per_second <= 0 THEN
    RAISE EXCEPTION 'sender_rate_invalid' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "short_codes_rate_positive" BEFORE INSERT OR UPDATE OF "rate_limit_per_second" ON "short_codes"
  FOR EACH ROW EXECUTE FUNCTION "twofold_sender_rate_positive"();
CREATE TRIGGER "sender_routes_rate_positive" BEFORE INSERT OR UPDATE OF "rate_limit_per_second" ON "sender_routes"
  FOR EACH ROW EXECUTE FUNCTION "twofold_sender_rate_positive"();

-- Tenant delivery settings: SMS -> voice fallback, and the SMS body (null = safe default).
ALTER TABLE "tenants" ADD COLUMN "sms_fallback_to_voice" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "tenants" ADD COLUMN "sms_template" TEXT;
CREATE FUNCTION "twofold_tenants_sms_template"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sms_template IS NOT NULL AND (position('{code}' in NEW.sms_template) = 0 OR length(NEW.sms_template) > 320) THEN
    RAISE EXCEPTION 'sms_template_invalid' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "tenants_sms_template" BEFORE INSERT OR UPDATE OF "sms_template" ON "tenants"
  FOR EACH ROW EXECUTE FUNCTION "twofold_tenants_sms_template"();

-- R21 short-code pools. Operators change them through the delivery API afterwards.
INSERT INTO "short_codes" ("id", "country", "code", "enabled", "updated_at") VALUES
  (gen_random_uuid(), 'US', '97671', true, now()),
  (gen_random_uuid(), 'US', '69829', true, now()),
  (gen_random_uuid(), 'US', '51789', true, now()),
  (gen_random_uuid(), 'US', '99399', true, now()),
  (gen_random_uuid(), 'CA', '759731', true, now()),
  (gen_random_uuid(), 'CA', '673801', true, now())
ON CONFLICT ("code") DO NOTHING;
