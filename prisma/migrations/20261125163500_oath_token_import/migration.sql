-- R25 OATH token import: a device may carry several keys, so duplicates are keyed on
-- (serial, PSKC key Id); CSV rows have no key Id (''). PSKC ExpiryDate is kept.
-- Tenants may opt in to legacy secrets shorter than 128 bits.

-- AlterTable
ALTER TABLE "tenants" ADD COLUMN "weak_oath_secrets_allowed" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "oath_tokens" ADD COLUMN "pskc_key_id" TEXT NOT NULL DEFAULT '',
ADD COLUMN "expires_at" TIMESTAMPTZ(3);

-- DropIndex
DROP INDEX "oath_tokens_tenant_id_serial_key";

-- CreateIndex
CREATE UNIQUE INDEX "oath_tokens_tenant_id_serial_pskc_key_id_key" ON "oath_tokens"("tenant_id", "serial", "pskc_key_id");

-- CreateIndex
CREATE INDEX "oath_tokens_tenant_id_created_at_id_idx" ON "oath_tokens"("tenant_id", "created_at", "id");
