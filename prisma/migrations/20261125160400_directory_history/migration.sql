-- MFA servers act on the API too (audit actor).
ALTER TYPE "actor_type" ADD VALUE IF NOT EXISTS 'mfa_server' BEFORE 'system';

-- CreateTable
CREATE TABLE "license_assignment_changes" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "pool_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "assigned" BOOLEAN NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "license_assignment_changes_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateIndex
CREATE INDEX "license_assignment_changes_tenant_id_user_id_changed_at_idx" ON "license_assignment_changes"("tenant_id", "user_id", "changed_at");

-- CreateIndex
CREATE INDEX "license_assignment_changes_tenant_id_changed_at_idx" ON "license_assignment_changes"("tenant_id", "changed_at");

-- AddForeignKey
ALTER TABLE "license_assignment_changes" ADD CONSTRAINT "license_assignment_changes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- =====================================================================================
-- Hand-written (docs/decisions/0003-data-model.md).

ALTER TABLE "license_assignment_changes" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "license_assignment_changes" FOR ALL TO twofold_app
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- R3/R4 billing inputs are written by the database itself, in the same transaction as the
-- change, so no code path can change a user's MFA state or license without its history row.
CREATE FUNCTION "twofold_users_mfa_history"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.mfa_enabled THEN
      INSERT INTO user_mfa_state_changes (tenant_id, id, user_id, enabled, changed_at)
      VALUES (NEW.tenant_id, gen_random_uuid(), NEW.id, true, clock_timestamp());
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    IF NEW.mfa_enabled IS DISTINCT FROM OLD.mfa_enabled THEN
      INSERT INTO user_mfa_state_changes (tenant_id, id, user_id, enabled, changed_at)
      VALUES (NEW.tenant_id, gen_random_uuid(), NEW.id, NEW.mfa_enabled, clock_timestamp());
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    -- A deleted user stops being enabled at that moment.
    IF OLD.mfa_enabled THEN
      INSERT INTO user_mfa_state_changes (tenant_id, id, user_id, enabled, changed_at)
      VALUES (OLD.tenant_id, gen_random_uuid(), OLD.id, false, clock_timestamp());
    END IF;
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "users_mfa_history"
  AFTER INSERT OR UPDATE OF "mfa_enabled" OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "twofold_users_mfa_history"();

CREATE FUNCTION "twofold_license_assignment_history"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO license_assignment_changes (tenant_id, id, pool_id, user_id, assigned, changed_at)
    VALUES (NEW.tenant_id, gen_random_uuid(), NEW.pool_id, NEW.user_id, true, clock_timestamp());
    RETURN NEW;
  END IF;
  INSERT INTO license_assignment_changes (tenant_id, id, pool_id, user_id, assigned, changed_at)
  VALUES (OLD.tenant_id, gen_random_uuid(), OLD.pool_id, OLD.user_id, false, clock_timestamp());
  RETURN OLD;
END
$$;

CREATE TRIGGER "license_assignments_history"
  AFTER INSERT OR DELETE ON "license_assignments"
  FOR EACH ROW EXECUTE FUNCTION "twofold_license_assignment_history"();
