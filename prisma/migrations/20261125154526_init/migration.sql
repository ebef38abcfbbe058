-- CreateEnum
CREATE TYPE "authentication_status" AS ENUM ('pending', 'succeeded', 'denied', 'expired');

-- CreateEnum
CREATE TYPE "authentication_result" AS ENUM ('success', 'deny');

-- CreateEnum
CREATE TYPE "usage_kind" AS ENUM ('authentication', 'user_month');

-- CreateEnum
CREATE TYPE "stripe_customer_owner" AS ENUM ('tenant', 'provider');

-- CreateEnum
CREATE TYPE "message_channel" AS ENUM ('sms', 'voice');

-- CreateEnum
CREATE TYPE "message_status" AS ENUM ('queued', 'sent', 'delivered', 'undelivered', 'failed');

-- CreateEnum
CREATE TYPE "sender_kind" AS ENUM ('short_code', 'long_code', 'alphanumeric', 'caller_id');

-- CreateEnum
CREATE TYPE "short_code_country" AS ENUM ('US', 'CA');

-- CreateEnum
CREATE TYPE "sender_route_kind" AS ENUM ('long_code', 'alphanumeric');

-- CreateEnum
CREATE TYPE "auth_method" AS ENUM ('sms', 'voice', 'app_notification', 'app_code', 'oath_token', 'app_password');

-- CreateEnum
CREATE TYPE "registration_reason" AS ENUM ('mfa_enabled_nothing_registered', 'sspr_enabled', 'conditional_access', 'device_registration', 'windows_hello_for_business', 'registration_policy', 'method_disabled', 'reset_by_admin');

-- CreateEnum
CREATE TYPE "billing_model" AS ENUM ('per_user', 'per_authentication');

-- CreateEnum
CREATE TYPE "report_type" AS ENUM ('authentication', 'usage');

-- CreateEnum
CREATE TYPE "report_format" AS ENUM ('csv', 'json');

-- CreateEnum
CREATE TYPE "report_export_status" AS ENUM ('queued', 'running', 'done', 'failed', 'expired');

-- CreateEnum
CREATE TYPE "data_region" AS ENUM ('us', 'eu', 'uk', 'ca', 'au');

-- CreateEnum
CREATE TYPE "tenant_tier" AS ENUM ('free', 'standard');

-- CreateEnum
CREATE TYPE "actor_type" AS ENUM ('operator', 'api_key', 'system');

-- CreateEnum
CREATE TYPE "oath_algorithm" AS ENUM ('SHA1', 'SHA256', 'SHA512');

-- CreateEnum
CREATE TYPE "oath_token_type" AS ENUM ('totp', 'hotp');

-- CreateTable
CREATE TABLE "authentications" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "server_id" UUID,
    "user_id" UUID,
    "user_name" TEXT NOT NULL,
    "method" "auth_method" NOT NULL,
    "status" "authentication_status" NOT NULL DEFAULT 'pending',
    "code_hash" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "sends_count" INTEGER NOT NULL DEFAULT 0,
    "phone" TEXT,
    "device_activation_id" UUID,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "deny_reason" TEXT,
    "client_ip" TEXT,
    "correlation_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "authentications_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "authentication_records" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "authentication_id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "unique_id" TEXT NOT NULL,
    "user_id" UUID,
    "server_id" UUID,
    "first_name" TEXT,
    "last_name" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "device_token" TEXT,
    "method" "auth_method" NOT NULL,
    "mode" TEXT,
    "result" "authentication_result" NOT NULL,
    "deny_reason" TEXT,
    "server_name" TEXT,
    "server_ip" TEXT,
    "client_ip" TEXT,
    "data_region" "data_region" NOT NULL,
    "delivery_status" "message_status",
    "correlation_id" TEXT NOT NULL,

    CONSTRAINT "authentication_records_pkey" PRIMARY KEY ("tenant_id","occurred_at","id")
) PARTITION BY RANGE ("occurred_at"); -- hand-edited: monthly partitions (docs/decisions/0003-data-model.md)

-- CreateTable
CREATE TABLE "usage_ledger" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "kind" "usage_kind" NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "subject_id" UUID NOT NULL,
    "quantity" INTEGER NOT NULL DEFAULT 1,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reported_at" TIMESTAMPTZ(3),
    "stripe_identifier" TEXT,
    "report_attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "usage_ledger_pkey" PRIMARY KEY ("tenant_id","period_start","id")
) PARTITION BY RANGE ("period_start"); -- hand-edited: monthly partitions (docs/decisions/0003-data-model.md)

-- CreateTable
CREATE TABLE "stripe_customers" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "owner_type" "stripe_customer_owner" NOT NULL,
    "owner_id" UUID NOT NULL,
    "provider_id" UUID,
    "stripe_customer_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stripe_customers_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "stripe_subscriptions" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "stripe_subscription_id" TEXT NOT NULL,
    "stripe_subscription_item_id" TEXT,
    "stripe_price_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "current_period_start" TIMESTAMPTZ(3),
    "current_period_end" TIMESTAMPTZ(3),
    "canceled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stripe_subscriptions_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "stripe_invoices" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "subscription_id" UUID,
    "stripe_invoice_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "subtotal" BIGINT NOT NULL DEFAULT 0,
    "total" BIGINT NOT NULL DEFAULT 0,
    "amount_due" BIGINT NOT NULL DEFAULT 0,
    "amount_paid" BIGINT NOT NULL DEFAULT 0,
    "period_start" TIMESTAMPTZ(3),
    "period_end" TIMESTAMPTZ(3),
    "hosted_url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stripe_invoices_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "stripe_webhook_events" (
    "id" UUID NOT NULL,
    "stripe_event_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL DEFAULT false,
    "payload" JSONB NOT NULL,
    "tenant_id" UUID,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "stripe_webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "authentication_id" UUID,
    "provider_id" UUID,
    "user_id" UUID,
    "channel" "message_channel" NOT NULL,
    "status" "message_status" NOT NULL DEFAULT 'queued',
    "to_phone" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "sender" TEXT,
    "sender_kind" "sender_kind",
    "twilio_sid" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "messages_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "message_status_events" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "status" "message_status" NOT NULL,
    "provider_status" TEXT NOT NULL,
    "error_code" TEXT,
    "payload" JSONB,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_status_events_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "short_codes" (
    "id" UUID NOT NULL,
    "country" "short_code_country" NOT NULL,
    "code" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "short_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sender_routes" (
    "id" UUID NOT NULL,
    "country" TEXT NOT NULL,
    "kind" "sender_route_kind" NOT NULL,
    "sender" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "rate_limit_per_second" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sender_routes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "user_name" TEXT NOT NULL,
    "first_name" TEXT,
    "last_name" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "mfa_enabled" BOOLEAN NOT NULL DEFAULT false,
    "default_method" "auth_method",
    "registration_reasons" "registration_reason"[] DEFAULT ARRAY[]::"registration_reason"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "user_mfa_state_changes" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_mfa_state_changes_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "user_methods" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "method" "auth_method" NOT NULL,
    "phone" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_methods_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "tenant_method_policies" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "method" "auth_method" NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenant_method_policies_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "device_activations" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "device_token" TEXT NOT NULL,
    "device_name" TEXT,
    "seed_ciphertext" BYTEA NOT NULL,
    "key_id" TEXT NOT NULL,
    "last_used_step" BIGINT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "activated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deactivated_at" TIMESTAMPTZ(3),

    CONSTRAINT "device_activations_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "app_passwords" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "app_passwords_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "license_pools" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "name" TEXT,
    "seats" INTEGER NOT NULL,
    "assigned_count" INTEGER NOT NULL DEFAULT 0,
    "term_start" TIMESTAMPTZ(3) NOT NULL,
    "term_end" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "license_pools_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "license_assignments" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "pool_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "license_assignments_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "providers" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "billing_model" "billing_model" NOT NULL,
    "linked_tenant_id" UUID,
    "voice_caller_id" TEXT,
    "record_fields" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "providers_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "mfa_servers" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "ip_address" TEXT,
    "pending_sms_timeout_seconds" INTEGER NOT NULL DEFAULT 300,
    "voice_caller_id" TEXT,
    "credential_hash" TEXT NOT NULL,
    "activated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "mfa_servers_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "mfa_server_activation_credentials" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "credential_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "used_by_server_id" UUID,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "mfa_server_activation_credentials_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "report_exports" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "report_type" "report_type" NOT NULL,
    "format" "report_format" NOT NULL,
    "filters" JSONB NOT NULL DEFAULT '{}',
    "status" "report_export_status" NOT NULL DEFAULT 'queued',
    "rows_done" INTEGER NOT NULL DEFAULT 0,
    "rows_total" INTEGER,
    "file_path" TEXT,
    "file_size" BIGINT,
    "data_region" "data_region" NOT NULL,
    "error" TEXT,
    "requested_by" TEXT,
    "correlation_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "report_exports_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "data_region" "data_region" NOT NULL,
    "tier" "tenant_tier" NOT NULL DEFAULT 'standard',
    "app_passwords_allowed" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" "actor_type" NOT NULL,
    "actor_id" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "correlation_id" TEXT NOT NULL,
    "details" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "oath_tokens" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "serial" TEXT NOT NULL,
    "manufacturer" TEXT,
    "model" TEXT,
    "secret_ciphertext" BYTEA NOT NULL,
    "key_id" TEXT NOT NULL,
    "type" "oath_token_type" NOT NULL DEFAULT 'totp',
    "algorithm" "oath_algorithm" NOT NULL DEFAULT 'SHA1',
    "digits" INTEGER NOT NULL DEFAULT 6,
    "period" INTEGER NOT NULL DEFAULT 30,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "last_used_step" BIGINT,
    "assigned_user_id" UUID,
    "assigned_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "oath_tokens_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateIndex
CREATE INDEX "authentications_tenant_id_user_name_created_at_idx" ON "authentications"("tenant_id", "user_name", "created_at");

-- CreateIndex
CREATE INDEX "authentications_tenant_id_status_expires_at_idx" ON "authentications"("tenant_id", "status", "expires_at");

-- CreateIndex
CREATE INDEX "authentication_records_tenant_id_provider_id_occurred_at_idx" ON "authentication_records"("tenant_id", "provider_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "authentication_records_tenant_id_authentication_id_occurred_key" ON "authentication_records"("tenant_id", "authentication_id", "occurred_at");

-- CreateIndex
CREATE INDEX "usage_ledger_tenant_id_provider_id_period_start_idx" ON "usage_ledger"("tenant_id", "provider_id", "period_start");

-- CreateIndex
CREATE INDEX "usage_ledger_tenant_id_reported_at_idx" ON "usage_ledger"("tenant_id", "reported_at");

-- CreateIndex
CREATE UNIQUE INDEX "usage_ledger_tenant_id_idempotency_key_period_start_key" ON "usage_ledger"("tenant_id", "idempotency_key", "period_start");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_customers_stripe_customer_id_key" ON "stripe_customers"("stripe_customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_customers_tenant_id_owner_type_owner_id_key" ON "stripe_customers"("tenant_id", "owner_type", "owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_subscriptions_tenant_id_provider_id_key" ON "stripe_subscriptions"("tenant_id", "provider_id");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_subscriptions_tenant_id_stripe_subscription_id_key" ON "stripe_subscriptions"("tenant_id", "stripe_subscription_id");

-- CreateIndex
CREATE INDEX "stripe_invoices_tenant_id_customer_id_period_start_idx" ON "stripe_invoices"("tenant_id", "customer_id", "period_start");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_invoices_tenant_id_stripe_invoice_id_key" ON "stripe_invoices"("tenant_id", "stripe_invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_webhook_events_stripe_event_id_key" ON "stripe_webhook_events"("stripe_event_id");

-- CreateIndex
CREATE INDEX "stripe_webhook_events_processed_at_received_at_idx" ON "stripe_webhook_events"("processed_at", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "messages_twilio_sid_key" ON "messages"("twilio_sid");

-- CreateIndex
CREATE INDEX "messages_tenant_id_authentication_id_idx" ON "messages"("tenant_id", "authentication_id");

-- CreateIndex
CREATE INDEX "messages_tenant_id_user_id_created_at_idx" ON "messages"("tenant_id", "user_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_tenant_id_created_at_idx" ON "messages"("tenant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "message_status_events_tenant_id_message_id_provider_status_key" ON "message_status_events"("tenant_id", "message_id", "provider_status");

-- CreateIndex
CREATE UNIQUE INDEX "short_codes_code_key" ON "short_codes"("code");

-- CreateIndex
CREATE INDEX "short_codes_country_enabled_idx" ON "short_codes"("country", "enabled");

-- CreateIndex
CREATE UNIQUE INDEX "sender_routes_country_sender_key" ON "sender_routes"("country", "sender");

-- CreateIndex
CREATE INDEX "users_tenant_id_mfa_enabled_idx" ON "users"("tenant_id", "mfa_enabled");

-- CreateIndex
CREATE UNIQUE INDEX "users_tenant_id_user_name_key" ON "users"("tenant_id", "user_name");

-- CreateIndex
CREATE INDEX "user_mfa_state_changes_tenant_id_user_id_changed_at_idx" ON "user_mfa_state_changes"("tenant_id", "user_id", "changed_at");

-- CreateIndex
CREATE INDEX "user_mfa_state_changes_tenant_id_changed_at_idx" ON "user_mfa_state_changes"("tenant_id", "changed_at");

-- CreateIndex
CREATE UNIQUE INDEX "user_methods_tenant_id_user_id_method_key" ON "user_methods"("tenant_id", "user_id", "method");

-- CreateIndex
CREATE UNIQUE INDEX "tenant_method_policies_tenant_id_method_key" ON "tenant_method_policies"("tenant_id", "method");

-- CreateIndex
CREATE INDEX "device_activations_tenant_id_user_id_active_idx" ON "device_activations"("tenant_id", "user_id", "active");

-- CreateIndex
CREATE INDEX "device_activations_tenant_id_device_token_idx" ON "device_activations"("tenant_id", "device_token");

-- CreateIndex
CREATE INDEX "app_passwords_tenant_id_user_id_idx" ON "app_passwords"("tenant_id", "user_id");

-- CreateIndex
CREATE INDEX "license_pools_tenant_id_term_end_idx" ON "license_pools"("tenant_id", "term_end");

-- CreateIndex
CREATE INDEX "license_assignments_tenant_id_user_id_idx" ON "license_assignments"("tenant_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "license_assignments_tenant_id_pool_id_user_id_key" ON "license_assignments"("tenant_id", "pool_id", "user_id");

-- CreateIndex
CREATE INDEX "providers_tenant_id_linked_tenant_id_idx" ON "providers"("tenant_id", "linked_tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "mfa_servers_credential_hash_key" ON "mfa_servers"("credential_hash");

-- CreateIndex
CREATE INDEX "mfa_servers_tenant_id_provider_id_idx" ON "mfa_servers"("tenant_id", "provider_id");

-- CreateIndex
CREATE UNIQUE INDEX "mfa_server_activation_credentials_credential_hash_key" ON "mfa_server_activation_credentials"("credential_hash");

-- CreateIndex
CREATE INDEX "mfa_server_activation_credentials_tenant_id_provider_id_idx" ON "mfa_server_activation_credentials"("tenant_id", "provider_id");

-- CreateIndex
CREATE INDEX "report_exports_tenant_id_created_at_idx" ON "report_exports"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "report_exports_tenant_id_status_expires_at_idx" ON "report_exports"("tenant_id", "status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "audit_log_tenant_id_occurred_at_idx" ON "audit_log"("tenant_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_log_tenant_id_target_type_target_id_idx" ON "audit_log"("tenant_id", "target_type", "target_id");

-- CreateIndex
CREATE INDEX "oath_tokens_tenant_id_assigned_user_id_idx" ON "oath_tokens"("tenant_id", "assigned_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "oath_tokens_tenant_id_serial_key" ON "oath_tokens"("tenant_id", "serial");

-- AddForeignKey
ALTER TABLE "authentications" ADD CONSTRAINT "authentications_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "authentications" ADD CONSTRAINT "authentications_tenant_id_provider_id_fkey" FOREIGN KEY ("tenant_id", "provider_id") REFERENCES "providers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "authentications" ADD CONSTRAINT "authentications_tenant_id_server_id_fkey" FOREIGN KEY ("tenant_id", "server_id") REFERENCES "mfa_servers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "authentications" ADD CONSTRAINT "authentications_tenant_id_user_id_fkey" FOREIGN KEY ("tenant_id", "user_id") REFERENCES "users"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "authentication_records" ADD CONSTRAINT "authentication_records_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_ledger" ADD CONSTRAINT "usage_ledger_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_ledger" ADD CONSTRAINT "usage_ledger_tenant_id_provider_id_fkey" FOREIGN KEY ("tenant_id", "provider_id") REFERENCES "providers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_customers" ADD CONSTRAINT "stripe_customers_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_customers" ADD CONSTRAINT "stripe_customers_tenant_id_provider_id_fkey" FOREIGN KEY ("tenant_id", "provider_id") REFERENCES "providers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_subscriptions" ADD CONSTRAINT "stripe_subscriptions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_subscriptions" ADD CONSTRAINT "stripe_subscriptions_tenant_id_provider_id_fkey" FOREIGN KEY ("tenant_id", "provider_id") REFERENCES "providers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_subscriptions" ADD CONSTRAINT "stripe_subscriptions_tenant_id_customer_id_fkey" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "stripe_customers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_invoices" ADD CONSTRAINT "stripe_invoices_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_invoices" ADD CONSTRAINT "stripe_invoices_tenant_id_customer_id_fkey" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "stripe_customers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_invoices" ADD CONSTRAINT "stripe_invoices_tenant_id_subscription_id_fkey" FOREIGN KEY ("tenant_id", "subscription_id") REFERENCES "stripe_subscriptions"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_status_events" ADD CONSTRAINT "message_status_events_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_status_events" ADD CONSTRAINT "message_status_events_tenant_id_message_id_fkey" FOREIGN KEY ("tenant_id", "message_id") REFERENCES "messages"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_mfa_state_changes" ADD CONSTRAINT "user_mfa_state_changes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_methods" ADD CONSTRAINT "user_methods_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_methods" ADD CONSTRAINT "user_methods_tenant_id_user_id_fkey" FOREIGN KEY ("tenant_id", "user_id") REFERENCES "users"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_method_policies" ADD CONSTRAINT "tenant_method_policies_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "device_activations" ADD CONSTRAINT "device_activations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "device_activations" ADD CONSTRAINT "device_activations_tenant_id_user_id_fkey" FOREIGN KEY ("tenant_id", "user_id") REFERENCES "users"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "app_passwords" ADD CONSTRAINT "app_passwords_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "app_passwords" ADD CONSTRAINT "app_passwords_tenant_id_user_id_fkey" FOREIGN KEY ("tenant_id", "user_id") REFERENCES "users"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "license_pools" ADD CONSTRAINT "license_pools_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "license_assignments" ADD CONSTRAINT "license_assignments_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "license_assignments" ADD CONSTRAINT "license_assignments_tenant_id_pool_id_fkey" FOREIGN KEY ("tenant_id", "pool_id") REFERENCES "license_pools"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "license_assignments" ADD CONSTRAINT "license_assignments_tenant_id_user_id_fkey" FOREIGN KEY ("tenant_id", "user_id") REFERENCES "users"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "providers" ADD CONSTRAINT "providers_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mfa_servers" ADD CONSTRAINT "mfa_servers_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mfa_servers" ADD CONSTRAINT "mfa_servers_tenant_id_provider_id_fkey" FOREIGN KEY ("tenant_id", "provider_id") REFERENCES "providers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mfa_server_activation_credentials" ADD CONSTRAINT "mfa_server_activation_credentials_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mfa_server_activation_credentials" ADD CONSTRAINT "mfa_server_activation_credentials_tenant_id_provider_id_fkey" FOREIGN KEY ("tenant_id", "provider_id") REFERENCES "providers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mfa_server_activation_credentials" ADD CONSTRAINT "mfa_server_activation_credentials_tenant_id_used_by_server_fkey" FOREIGN KEY ("tenant_id", "used_by_server_id") REFERENCES "mfa_servers"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "report_exports" ADD CONSTRAINT "report_exports_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oath_tokens" ADD CONSTRAINT "oath_tokens_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oath_tokens" ADD CONSTRAINT "oath_tokens_tenant_id_assigned_user_id_fkey" FOREIGN KEY ("tenant_id", "assigned_user_id") REFERENCES "users"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- =====================================================================================
-- Hand-written below this line (docs/decisions/0003-data-model.md). Prisma does not model
-- roles, grants, RLS policies, functions, triggers or partitions and ignores them when it
-- diffs, so they live only here.
--
-- One constraint of our offline migrate route (Prisma 6.19.3 Wasm engine + adapter-pg):
-- the Wasm schema engine crashes (RuntimeError: unreachable) when it introspects a
--    database with CHECK constraints, so rules that would be CHECKs are BEFORE triggers.
-- =====================================================================================

-- R1 backstop: billing_model never changes -----------------------------------------------
CREATE FUNCTION "twofold_providers_billing_model_immutable"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.billing_model IS DISTINCT FROM OLD.billing_model THEN
    RAISE EXCEPTION 'billing_model_immutable'
      USING ERRCODE = '23514',
            DETAIL = 'The billing model of a provider cannot change. Create a new provider.';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "providers_billing_model_immutable"
  BEFORE UPDATE OF "billing_model" ON "providers"
  FOR EACH ROW EXECUTE FUNCTION "twofold_providers_billing_model_immutable"();

-- R4: never more assignments than seats --------------------------------------------------
-- license_pools.assigned_count follows license_assignments (trigger below). The pool row
-- update locks the pool, so concurrent assignments serialise, and the pool trigger refuses
-- the one past the seat count: SQLSTATE 23514, message license_seats_exceeded.
CREATE FUNCTION "twofold_license_pools_check"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seats < 0 OR NEW.assigned_count < 0 OR NEW.assigned_count > NEW.seats THEN
    RAISE EXCEPTION 'license_seats_exceeded'
      USING ERRCODE = '23514',
            DETAIL = format('pool %s has %s seats, %s would be assigned', NEW.id, NEW.seats, NEW.assigned_count);
  END IF;
  IF NEW.term_end <= NEW.term_start THEN
    RAISE EXCEPTION 'license_term_invalid' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "license_pools_check"
  BEFORE INSERT OR UPDATE ON "license_pools"
  FOR EACH ROW EXECUTE FUNCTION "twofold_license_pools_check"();

CREATE FUNCTION "twofold_license_assignments_count"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE license_pools SET assigned_count = assigned_count + 1
     WHERE tenant_id = NEW.tenant_id AND id = NEW.pool_id;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE license_pools SET assigned_count = assigned_count - 1
     WHERE tenant_id = OLD.tenant_id AND id = OLD.pool_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "license_assignments_count"
  AFTER INSERT OR DELETE ON "license_assignments"
  FOR EACH ROW EXECUTE FUNCTION "twofold_license_assignments_count"();
CREATE TRIGGER "license_assignments_count_move"
  AFTER UPDATE OF "tenant_id", "pool_id" ON "license_assignments"
  FOR EACH ROW WHEN (OLD."pool_id" IS DISTINCT FROM NEW."pool_id" OR OLD."tenant_id" IS DISTINCT FROM NEW."tenant_id")
  EXECUTE FUNCTION "twofold_license_assignments_count"();

-- The app role ----------------------------------------------------------------------------
-- Cluster-wide, so created only once. No password here (set one out of band where needed).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'twofold_app') THEN
    CREATE ROLE twofold_app LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO twofold_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO twofold_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO twofold_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO twofold_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO twofold_app;
DO $$
BEGIN
  IF to_regclass('public._prisma_migrations') IS NOT NULL THEN
    REVOKE ALL ON public._prisma_migrations FROM twofold_app;
  END IF;
END
$$;

-- Monthly partitions ----------------------------------------------------------------------
-- authentication_records by occurred_at and usage_ledger by period_start (UTC months), each
-- with a DEFAULT partition for rows outside the created months. A monthly job calls
-- twofold_create_month_partitions ahead of time (rows of that month already in DEFAULT are
-- moved). Old months detach and archive cheaply with ALTER TABLE ... DETACH PARTITION.
-- The app reaches partitions only through the parent, whose RLS policy applies, so it gets
-- no privileges on the partitions themselves.
CREATE FUNCTION "twofold_create_month_partitions"(p_table text, p_from date, p_months integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_col text;
  v_start timestamptz;
  v_end timestamptz;
  v_part text;
  v_created integer := 0;
BEGIN
  v_col := CASE p_table WHEN 'authentication_records' THEN 'occurred_at'
                        WHEN 'usage_ledger' THEN 'period_start' END;
  IF v_col IS NULL THEN
    RAISE EXCEPTION 'not a monthly partitioned table: %', p_table USING ERRCODE = '22023';
  END IF;
  FOR i IN 0 .. GREATEST(p_months, 0) - 1 LOOP
    v_start := (date_trunc('month', p_from::timestamp) + make_interval(months => i)) AT TIME ZONE 'UTC';
    v_end := ((v_start AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    v_part := format('%s_p%s', p_table, to_char(v_start AT TIME ZONE 'UTC', 'YYYYMM'));
    CONTINUE WHEN to_regclass(v_part) IS NOT NULL;
    EXECUTE format('CREATE TEMP TABLE twofold_moved ON COMMIT DROP AS
                      WITH d AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) SELECT * FROM d',
                   p_table || '_default', v_col, v_start, v_col, v_end);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   v_part, p_table, v_start, v_end);
    EXECUTE format('INSERT INTO %I SELECT * FROM twofold_moved', p_table);
    DROP TABLE twofold_moved;
    EXECUTE format('REVOKE ALL ON %I FROM twofold_app', v_part);
    v_created := v_created + 1;
  END LOOP;
  RETURN v_created;
END
$$;

CREATE TABLE "authentication_records_default" PARTITION OF "authentication_records" DEFAULT;
CREATE TABLE "usage_ledger_default" PARTITION OF "usage_ledger" DEFAULT;
REVOKE ALL ON "authentication_records_default", "usage_ledger_default" FROM twofold_app;
SELECT "twofold_create_month_partitions"('authentication_records', (now() AT TIME ZONE 'UTC')::date, 3);
SELECT "twofold_create_month_partitions"('usage_ledger', (now() AT TIME ZONE 'UTC')::date, 3);

-- Row-level security -----------------------------------------------------------------------
-- ENABLE, not FORCE: the owner (migrations and the SECURITY DEFINER lookups) is not bound,
-- the app role is. The app runs set_config('app.tenant_id', $1, true) in each transaction.
-- NULLIF because a pooled connection's setting is '' (not NULL) once a transaction ended.
ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "tenants" FOR ALL TO twofold_app
  USING ("id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "api_keys" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "audit_log" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "providers" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "providers" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "mfa_servers" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "mfa_servers" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "mfa_server_activation_credentials" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "mfa_server_activation_credentials" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "users" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "user_mfa_state_changes" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "user_mfa_state_changes" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "user_methods" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "user_methods" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "tenant_method_policies" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "tenant_method_policies" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "device_activations" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "device_activations" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "app_passwords" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "app_passwords" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "license_pools" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "license_pools" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "license_assignments" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "license_assignments" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "oath_tokens" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "oath_tokens" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "authentications" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "authentications" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "authentication_records" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "authentication_records" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "messages" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "messages" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "message_status_events" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "message_status_events" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "usage_ledger" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "usage_ledger" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "stripe_customers" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "stripe_customers" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "stripe_subscriptions" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "stripe_subscriptions" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "stripe_invoices" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "stripe_invoices" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "report_exports" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "report_exports" FOR ALL TO twofold_app
  USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Lookups before the tenant is known -------------------------------------------------------
-- SECURITY DEFINER: they run as the migration owner, whom RLS does not bind, and return only
-- what picks the tenant. The app then opens a tenant-scoped transaction.
-- It also records when an active key was last used, at most once a minute per key, so
-- admins can spot unused keys without a write on every request.
CREATE FUNCTION "twofold_find_api_key"(p_key_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, revoked_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  UPDATE api_keys k SET last_used_at = now()
   WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
     AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
  SELECT k.id, k.tenant_id, k.revoked_at FROM api_keys k WHERE k.key_hash = p_key_hash;
$$;

CREATE FUNCTION "twofold_find_mfa_server"(p_credential_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, provider_id uuid, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT s.id, s.tenant_id, s.provider_id, s.revoked_at FROM mfa_servers s
   WHERE s.credential_hash = p_credential_hash
$$;

-- R12: a server activates with a one-time credential before anything names its tenant.
CREATE FUNCTION "twofold_find_activation_credential"(p_credential_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, provider_id uuid, expires_at timestamptz,
               used_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.id, c.tenant_id, c.provider_id, c.expires_at, c.used_at, c.revoked_at
    FROM mfa_server_activation_credentials c WHERE c.credential_hash = p_credential_hash
$$;

-- Carrier status callbacks arrive with the Twilio SID only.
CREATE FUNCTION "twofold_find_message"(p_twilio_sid text)
RETURNS TABLE (id uuid, tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT m.id, m.tenant_id FROM messages m WHERE m.twilio_sid = p_twilio_sid
$$;

-- Stripe webhooks name a customer. This finds its tenant.
CREATE FUNCTION "twofold_find_stripe_customer"(p_stripe_customer_id text)
RETURNS TABLE (id uuid, tenant_id uuid, provider_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.id, c.tenant_id, c.provider_id FROM stripe_customers c
   WHERE c.stripe_customer_id = p_stripe_customer_id
$$;

REVOKE ALL ON FUNCTION "twofold_find_api_key"(text), "twofold_find_mfa_server"(text),
  "twofold_find_activation_credential"(text), "twofold_find_message"(text),
  "twofold_find_stripe_customer"(text), "twofold_create_month_partitions"(text, date, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_find_api_key"(text), "twofold_find_mfa_server"(text),
  "twofold_find_activation_credential"(text), "twofold_find_message"(text),
  "twofold_find_stripe_customer"(text), "twofold_create_month_partitions"(text, date, integer)
  TO twofold_app;
