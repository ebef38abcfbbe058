-- CreateEnum
CREATE TYPE "mfa_server_revoked_reason" AS ENUM ('admin', 'provider_deleted', 'relinked');

-- AlterTable
ALTER TABLE "mfa_servers" ADD COLUMN "revoked_reason" "mfa_server_revoked_reason";

-- CreateTable
CREATE TABLE "provider_link_consents" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "provider_id" UUID,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "used_by_tenant_id" UUID,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "provider_link_consents_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateIndex
CREATE UNIQUE INDEX "provider_link_consents_token_hash_key" ON "provider_link_consents"("token_hash");

-- AddForeignKey
ALTER TABLE "provider_link_consents" ADD CONSTRAINT "provider_link_consents_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- =====================================================================================
-- Hand-written (docs/decisions/0003-data-model.md, 0007-mfa-servers-and-relinking.md).

ALTER TABLE "provider_link_consents" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "provider_link_consents" FOR ALL TO twofold_app
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- R8: the linking tenant presents the consenting tenant's token before it knows that tenant.
CREATE FUNCTION "twofold_find_link_consent"(p_token_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, provider_id uuid, expires_at timestamptz,
               used_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.id, c.tenant_id, c.provider_id, c.expires_at, c.used_at, c.revoked_at
    FROM provider_link_consents c WHERE c.token_hash = p_token_hash
$$;
REVOKE ALL ON FUNCTION "twofold_find_link_consent"(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_find_link_consent"(text) TO twofold_app;
