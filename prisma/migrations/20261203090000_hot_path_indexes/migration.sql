-- Issue 21, docs/decisions/0017-indexes-that-cannot-be-mistaken.md. Hand-written.
--
-- A generic plan made while a table is young (never analyzed, a few rows) estimates "the tenant's
-- rows" at one row, and then any index that leads with tenant_id looks as good as the primary key
-- for a lookup by id: PostgreSQL picked authentications_tenant_id_status_expires_at_idx with
-- `Index Cond: tenant_id = $1, Filter: id = $2` and kept that plan while the table grew, reading
-- every row of the tenant per verification. So:
--   * the primary key (tenant_id, id) is the one index that leads with tenant_id alone;
--   * a lookup index leads with the column its queries pin (user_id, authentication_id, ...), with
--     tenant_id next, so it serves only those queries and is never mistaken for "the tenant's rows";
--   * a tenant-wide ordered listing (admin pages) keeps (tenant_id, <time>, id) but is partial on
--     `<time> IS NOT NULL`: only a query with a condition on that column (every page's cursor or
--     lower bound) may use it, never a lookup by id or a foreign-key check;
--   * indexes no query needs are dropped (each one was paid on every insert).

-- authentications: nothing reads by (tenant, status) or (tenant, user name); the sweeper reads the
-- pending rows by expiry; a deleted user's authentications are found by user (ON DELETE CASCADE).
DROP INDEX "authentications_tenant_id_status_expires_at_idx";
DROP INDEX "authentications_tenant_id_user_name_created_at_idx";
DROP INDEX "authentications_status_expires_at_idx";
CREATE INDEX "authentications_pending_expires_at_idx" ON "authentications" ("expires_at") WHERE "status" = 'pending';
CREATE INDEX "authentications_user_id_tenant_id_idx" ON "authentications" ("user_id", "tenant_id");

-- messages: read by id, by Twilio SID and by authentication (latest first); nothing lists a
-- tenant's or a user's messages.
DROP INDEX "messages_tenant_id_authentication_id_idx";
DROP INDEX "messages_tenant_id_user_id_created_at_idx";
DROP INDEX "messages_tenant_id_created_at_idx";
CREATE INDEX "messages_authentication_id_tenant_id_created_at_id_idx" ON "messages" ("authentication_id", "tenant_id", "created_at", "id");

DROP INDEX "message_status_events_tenant_id_message_id_provider_status_key";
CREATE UNIQUE INDEX "message_status_events_message_id_tenant_id_provider_status_key" ON "message_status_events" ("message_id", "tenant_id", "provider_status");

-- authentication_records (partitioned; the primary key (tenant_id, occurred_at, id) serves the
-- reports' time ranges): one record per authentication, found by authentication.
DROP INDEX "authentication_records_tenant_id_authentication_id_occurred_key";
CREATE UNIQUE INDEX "authentication_records_authentication_id_tenant_id_occurred_key" ON "authentication_records" ("authentication_id", "tenant_id", "occurred_at");
DROP INDEX "authentication_records_tenant_id_provider_id_occurred_at_idx";
CREATE INDEX "authentication_records_provider_id_tenant_id_occurred_at_idx" ON "authentication_records" ("provider_id", "tenant_id", "occurred_at");

-- usage_ledger (partitioned; the primary key (tenant_id, period_start, id)): the idempotency key
-- is looked up by itself; a provider's rows by provider.
DROP INDEX "usage_ledger_tenant_id_idempotency_key_period_start_key";
CREATE UNIQUE INDEX "usage_ledger_idempotency_key_tenant_id_period_start_key" ON "usage_ledger" ("idempotency_key", "tenant_id", "period_start");
DROP INDEX "usage_ledger_tenant_id_provider_id_period_start_idx";
CREATE INDEX "usage_ledger_provider_id_tenant_id_period_start_idx" ON "usage_ledger" ("provider_id", "tenant_id", "period_start");

-- users: by name. Nothing reads by (tenant, mfa_enabled): a tenant's enabled users are most of them.
DROP INDEX "users_tenant_id_user_name_key";
CREATE UNIQUE INDEX "users_user_name_tenant_id_key" ON "users" ("user_name", "tenant_id");
DROP INDEX "users_tenant_id_mfa_enabled_idx";

DROP INDEX "user_methods_tenant_id_user_id_method_key";
CREATE UNIQUE INDEX "user_methods_user_id_tenant_id_method_key" ON "user_methods" ("user_id", "tenant_id", "method");

DROP INDEX "device_activations_tenant_id_user_id_active_idx";
CREATE INDEX "device_activations_user_id_tenant_id_active_idx" ON "device_activations" ("user_id", "tenant_id", "active");
DROP INDEX "device_activations_tenant_id_device_token_idx";
CREATE INDEX "device_activations_device_token_tenant_id_idx" ON "device_activations" ("device_token", "tenant_id");

DROP INDEX "app_passwords_tenant_id_user_id_idx";
CREATE INDEX "app_passwords_user_id_tenant_id_idx" ON "app_passwords" ("user_id", "tenant_id");

-- oath_tokens: by assigned user, by serial; the admin list pages by (created_at, id).
DROP INDEX "oath_tokens_tenant_id_assigned_user_id_idx";
CREATE INDEX "oath_tokens_assigned_user_id_tenant_id_idx" ON "oath_tokens" ("assigned_user_id", "tenant_id");
DROP INDEX "oath_tokens_tenant_id_serial_pskc_key_id_key";
CREATE UNIQUE INDEX "oath_tokens_serial_tenant_id_pskc_key_id_key" ON "oath_tokens" ("serial", "tenant_id", "pskc_key_id");
DROP INDEX "oath_tokens_tenant_id_created_at_id_idx";
CREATE INDEX "oath_tokens_listing_idx" ON "oath_tokens" ("tenant_id", "created_at", "id") WHERE "created_at" IS NOT NULL;

-- providers and MFA servers: linked providers of a tenant; a provider's servers and activation
-- credentials, listed in (created_at, id) order.
DROP INDEX "providers_tenant_id_linked_tenant_id_idx";
CREATE INDEX "providers_linked_tenant_id_tenant_id_idx" ON "providers" ("linked_tenant_id", "tenant_id");
DROP INDEX "mfa_servers_tenant_id_provider_id_idx";
CREATE INDEX "mfa_servers_provider_id_tenant_id_created_at_id_idx" ON "mfa_servers" ("provider_id", "tenant_id", "created_at", "id");
DROP INDEX "mfa_server_activation_credentials_tenant_id_provider_id_idx";
CREATE INDEX "mfa_server_activation_credentials_provider_id_tenant_id_cre_idx"
  ON "mfa_server_activation_credentials" ("provider_id", "tenant_id", "created_at", "id");

-- Ids of rows the hot path inserts in SQL (authentication records, usage rows): UUIDv7, time first,
-- so each insert lands at the right edge of the id indexes instead of in a random leaf of an index
-- as large as the history (the app makes the authentications' and messages' ids the same way,
-- newRowId in libs/platform/db). PostgreSQL 15 has no uuidv7(): the 48-bit Unix time in
-- milliseconds over gen_random_uuid()'s first six bytes, and the version nibble set from 4 to 7.
CREATE FUNCTION "twofold_new_id"() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
           PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
           FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;

-- The cross-tenant sweeps were LANGUAGE sql functions, planned again on every call (a SQL function
-- with a SET clause is never inlined). PL/pgSQL keeps their plans, like the credential lookups
-- (migration 20261125221000). Same signatures, results and grants.
CREATE OR REPLACE FUNCTION "twofold_expired_authentications"(p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT a.tenant_id, a.id FROM authentications a
   WHERE a.status = 'pending' AND a.expires_at <= now()
   ORDER BY a.expires_at
   LIMIT p_limit;
END
$$;

CREATE OR REPLACE FUNCTION "twofold_pending_usage_tenants"(p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT DISTINCT u.tenant_id FROM usage_ledger u
   WHERE u.reported_at IS NULL AND u.skipped_reason IS NULL
   LIMIT p_limit;
END
$$;

CREATE OR REPLACE FUNCTION "twofold_stale_pending_usage"(p_before timestamptz)
RETURNS TABLE (tenant_id uuid, rows integer, oldest timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT u.tenant_id, count(*)::int, min(u.occurred_at) FROM usage_ledger u
   WHERE u.reported_at IS NULL AND u.skipped_reason IS NULL AND u.occurred_at < p_before
   GROUP BY u.tenant_id
   ORDER BY min(u.occurred_at);
END
$$;
