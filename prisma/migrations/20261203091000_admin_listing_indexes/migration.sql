-- Issue 21 item 4: the admin and report paths that filter by tenant and then by something else,
-- on the rule of docs/decisions/0017 (the primary key is the one index led by tenant_id alone;
-- listings are partial on their NOT NULL order column). Hand-written.

-- Users are listed in (created_at, id) pages: without an index every page read and sorted the
-- tenant's users (4,128 buffers at 200,000 users; 4 with it).
CREATE INDEX "users_listing_idx" ON "users" ("tenant_id", "created_at", "id") WHERE "created_at" IS NOT NULL;

-- API keys are listed the same way.
CREATE INDEX "api_keys_listing_idx" ON "api_keys" ("tenant_id", "created_at", "id") WHERE "created_at" IS NOT NULL;

-- OATH tokens: the unassigned ones are listed on their own (stock on the shelf).
CREATE INDEX "oath_tokens_unassigned_listing_idx" ON "oath_tokens" ("tenant_id", "created_at", "id")
  WHERE "assigned_user_id" IS NULL AND "created_at" IS NOT NULL;

-- License assignments of a pool, in (assigned_at, id) pages; seats by pool and user (the rule);
-- a user's seats.
DROP INDEX "license_assignments_tenant_id_pool_id_user_id_key";
CREATE UNIQUE INDEX "license_assignments_pool_id_tenant_id_user_id_key" ON "license_assignments" ("pool_id", "tenant_id", "user_id");
CREATE INDEX "license_assignments_pool_id_tenant_id_assigned_at_id_idx" ON "license_assignments" ("pool_id", "tenant_id", "assigned_at", "id");
DROP INDEX "license_assignments_tenant_id_user_id_idx";
CREATE INDEX "license_assignments_user_id_tenant_id_idx" ON "license_assignments" ("user_id", "tenant_id");

-- Audit log: pages in (occurred_at, id) order, by target, by action, by actor (a rare action or
-- actor read the tenant's whole log: 4,162 buffers; 3 with these).
DROP INDEX "audit_log_tenant_id_occurred_at_idx";
CREATE INDEX "audit_log_listing_idx" ON "audit_log" ("tenant_id", "occurred_at", "id") WHERE "occurred_at" IS NOT NULL;
DROP INDEX "audit_log_tenant_id_target_type_target_id_idx";
CREATE INDEX "audit_log_target_id_tenant_id_target_type_occurred_at_idx" ON "audit_log" ("target_id", "tenant_id", "target_type", "occurred_at");
CREATE INDEX "audit_log_action_tenant_id_occurred_at_idx" ON "audit_log" ("action", "tenant_id", "occurred_at");
CREATE INDEX "audit_log_actor_id_tenant_id_occurred_at_idx" ON "audit_log" ("actor_id", "tenant_id", "occurred_at");

-- The authentication report filtered by user name read the whole time range (4,884 buffers; 51).
CREATE INDEX "authentication_records_unique_id_tenant_id_occurred_at_id_idx"
  ON "authentication_records" ("unique_id", "tenant_id", "occurred_at", "id");

-- A provider's closed user-months (per-user billing): only user_month rows, few per month.
CREATE INDEX "usage_ledger_user_months_idx" ON "usage_ledger" ("provider_id", "tenant_id", "period_start")
  WHERE "kind" = 'user_month';

-- Indexes no query reads (each was paid on every insert).
DROP INDEX "usage_ledger_tenant_id_reported_at_idx";
DROP INDEX "license_pools_tenant_id_term_end_idx";
DROP INDEX "report_exports_tenant_id_created_at_idx";
DROP INDEX "report_exports_tenant_id_status_expires_at_idx";
DROP INDEX "user_mfa_state_changes_tenant_id_user_id_changed_at_idx";
DROP INDEX "license_assignment_changes_tenant_id_user_id_changed_at_idx";
DROP INDEX "stripe_webhook_events_processed_at_received_at_idx";
DROP INDEX "short_codes_country_enabled_idx";
