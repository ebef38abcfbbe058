-- Issue 17, "PostgreSQL's own cost": docs/decisions/0030-what-each-insert-pays.md. Hand-written.
--
-- An authentication writes authentications, usage_ledger and messages (one statement at start) and
-- authentication_records (with the close). Each insert paid every index of its table and one
-- foreign-key check (an index lookup plus a FOR KEY SHARE lock on the parent row) per foreign key.

-- Tenant foreign keys that another foreign key of the same row already implies. Tenants are never
-- deleted (decision 0026 keeps the row as a tombstone), so what the check bought is "tenant_id names
-- a tenant", and:
--   * authentications: its (tenant_id, provider_id) key references providers, whose own tenant_id
--     references tenants; provider_id is NOT NULL. Same for usage_ledger.
--   * messages, authentication_records: every row is written under RLS, whose WITH CHECK pins
--     tenant_id to app.tenant_id, the tenant of the verified credential; on the hot path in the same
--     statement as an authentication of that tenant (start: the authentication, its usage row and its
--     message; verify: the record is selected FROM the closed authentication).
-- Every one of these checks locked the same tenants row FOR KEY SHARE in every concurrent
-- authentication of a tenant (a MultiXact once two overlap).
ALTER TABLE "authentications" DROP CONSTRAINT "authentications_tenant_id_fkey";
ALTER TABLE "usage_ledger" DROP CONSTRAINT "usage_ledger_tenant_id_fkey";
ALTER TABLE "messages" DROP CONSTRAINT "messages_tenant_id_fkey";
ALTER TABLE "authentication_records" DROP CONSTRAINT "authentication_records_tenant_id_fkey";

-- usage_ledger by (provider, tenant, month) for every kind: the only by-provider reads are of
-- user-month rows (billable users, the tenant deletion's closing check), which the partial
-- usage_ledger_user_months_idx serves; the reports, the relay and finance read by tenant and month
-- (the primary key) or the pending index. Providers are never deleted (deleted_at), so no foreign-key
-- action looks rows up by provider. Paid by every authentication's usage row, read by nothing.
DROP INDEX "usage_ledger_provider_id_tenant_id_period_start_idx";

-- A message has no Twilio SID until the sender sets it: the unique index held a NULL entry for every
-- queued message. `twilio_sid = $1` implies `twilio_sid IS NOT NULL`, so the callbacks' lookup
-- (twofold_find_message) uses the partial index, and uniqueness of the SIDs is unchanged.
DROP INDEX "messages_twilio_sid_key";
CREATE UNIQUE INDEX "messages_twilio_sid_key" ON "messages" ("twilio_sid") WHERE "twilio_sid" IS NOT NULL;
