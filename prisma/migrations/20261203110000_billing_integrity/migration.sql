-- Billing integrity (issue 13, docs/decisions/0018-seats-and-month-facts.md). Hand-written.

-- =====================================================================================
-- 1. A provider's link history (R3, R7): which tenant directory it was linked to, and since when.
-- Written by the database itself, like the user and license histories, so no code path can change
-- a link without its history row. A month's per-user count covers every tenant the provider was
-- linked to at any moment of the month.
CREATE TABLE "provider_link_changes" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "linked_tenant_id" UUID,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_link_changes_pkey" PRIMARY KEY ("tenant_id","id")
);
CREATE INDEX "provider_link_changes_provider_id_tenant_id_changed_at_idx"
  ON "provider_link_changes"("provider_id", "tenant_id", "changed_at");
ALTER TABLE "provider_link_changes" ADD CONSTRAINT "provider_link_changes_tenant_id_fkey"
  FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "provider_link_changes" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "provider_link_changes" FOR ALL TO twofold_app
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The link each existing provider has now, from its creation: the best history there is.
INSERT INTO "provider_link_changes" (tenant_id, id, provider_id, linked_tenant_id, changed_at)
SELECT tenant_id, gen_random_uuid(), id, linked_tenant_id, created_at FROM providers;

CREATE FUNCTION "twofold_provider_link_history"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- A new provider is linked (or not) from its creation; a change counts from the moment it is made.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO provider_link_changes (tenant_id, id, provider_id, linked_tenant_id, changed_at)
    VALUES (NEW.tenant_id, gen_random_uuid(), NEW.id, NEW.linked_tenant_id, NEW.created_at);
  ELSIF NEW.linked_tenant_id IS DISTINCT FROM OLD.linked_tenant_id THEN
    INSERT INTO provider_link_changes (tenant_id, id, provider_id, linked_tenant_id, changed_at)
    VALUES (NEW.tenant_id, gen_random_uuid(), NEW.id, NEW.linked_tenant_id, clock_timestamp());
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "providers_link_history"
  AFTER INSERT OR UPDATE OF "linked_tenant_id" ON "providers"
  FOR EACH ROW EXECUTE FUNCTION "twofold_provider_link_history"();

-- =====================================================================================
-- 2. The usage relay claims rows with a lease and sets aside rows Stripe refuses for good.
-- available_at: not before this instant (a claim's lease, or the backoff after a transient failure).
-- failed_at: Stripe refused the row permanently; it leaves the pending set until an operator
-- retries it (failed_at cleared) or voids it (skipped_reason 'voided'), each with an audit entry.
ALTER TABLE "usage_ledger" ADD COLUMN "available_at" TIMESTAMPTZ(3);
ALTER TABLE "usage_ledger" ADD COLUMN "failed_at" TIMESTAMPTZ(3);

DROP INDEX "usage_ledger_pending_idx";
CREATE INDEX "usage_ledger_pending_idx" ON "usage_ledger" ("tenant_id", "occurred_at", "id")
  WHERE "reported_at" IS NULL AND "skipped_reason" IS NULL AND "failed_at" IS NULL;
CREATE INDEX "usage_ledger_failed_idx" ON "usage_ledger" ("tenant_id", "failed_at", "id")
  WHERE "failed_at" IS NOT NULL AND "reported_at" IS NULL AND "skipped_reason" IS NULL;

CREATE OR REPLACE FUNCTION "twofold_pending_usage_tenants"(p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT DISTINCT u.tenant_id FROM usage_ledger u
   WHERE u.reported_at IS NULL AND u.skipped_reason IS NULL AND u.failed_at IS NULL
   LIMIT p_limit;
END
$$;

CREATE OR REPLACE FUNCTION "twofold_stale_pending_usage"(p_before timestamptz)
RETURNS TABLE (tenant_id uuid, rows integer, oldest timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT u.tenant_id, count(*)::int, min(u.occurred_at) FROM usage_ledger u
   WHERE u.reported_at IS NULL AND u.skipped_reason IS NULL AND u.failed_at IS NULL AND u.occurred_at < p_before
   GROUP BY u.tenant_id
   ORDER BY min(u.occurred_at);
END
$$;

-- Rows Stripe refused for good and nobody has retried or voided yet (all tenants, oldest first).
CREATE FUNCTION "twofold_failed_usage"(p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid, period_start timestamptz, provider_id uuid, kind text,
               idempotency_key text, quantity integer, occurred_at timestamptz, failed_at timestamptz,
               report_attempts integer, last_error text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT u.tenant_id, u.id, u.period_start, u.provider_id, u.kind::text, u.idempotency_key,
         u.quantity, u.occurred_at, u.failed_at, u.report_attempts, u.last_error
    FROM usage_ledger u
   WHERE u.failed_at IS NOT NULL AND u.reported_at IS NULL AND u.skipped_reason IS NULL
   ORDER BY u.failed_at, u.id
   LIMIT p_limit;
END
$$;
REVOKE ALL ON FUNCTION "twofold_failed_usage"(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_failed_usage"(integer) TO twofold_app;

-- =====================================================================================
-- 3. Seats are bought (R4): by the platform operator (sales-led) or by the tenant through a Stripe
-- subscription with a per-seat price. A purchased pool names its purchase.
CREATE TABLE "license_purchases" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "seats" INTEGER NOT NULL,
    "term_months" INTEGER NOT NULL,
    -- pending: not at Stripe yet; awaiting_payment: subscription made, first invoice unpaid;
    -- active: paid, pool in force; past_due: a renewal failed, inside the grace period;
    -- lapsed: unpaid past the grace period; ended: the subscription ended; failed: Stripe refused it.
    "status" TEXT NOT NULL DEFAULT 'pending',
    "customer_id" UUID,
    "stripe_subscription_id" TEXT,
    "stripe_subscription_item_id" TEXT,
    "pool_id" UUID,
    "term_start" TIMESTAMPTZ(3),
    "term_end" TIMESTAMPTZ(3),
    "paid_at" TIMESTAMPTZ(3),
    "unpaid_since" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "last_event_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "license_purchases_pkey" PRIMARY KEY ("tenant_id","id")
);
CREATE UNIQUE INDEX "license_purchases_stripe_subscription_id_key" ON "license_purchases"("stripe_subscription_id");
CREATE INDEX "license_purchases_tenant_id_created_at_id_idx" ON "license_purchases"("tenant_id", "created_at", "id");
-- What the billing loop looks after: purchases not at Stripe yet, and purchases inside their grace.
CREATE INDEX "license_purchases_open_idx" ON "license_purchases" ("status", "tenant_id")
  WHERE "status" IN ('pending', 'past_due');
ALTER TABLE "license_purchases" ADD CONSTRAINT "license_purchases_tenant_id_fkey"
  FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Rules as a BEFORE trigger, not CHECK constraints (libs/platform/db/test/migrations.test.ts).
CREATE FUNCTION "twofold_license_purchases_check"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status NOT IN ('pending', 'awaiting_payment', 'active', 'past_due', 'lapsed', 'ended', 'failed') THEN
    RAISE EXCEPTION 'license_purchase_status_invalid' USING ERRCODE = '23514', DETAIL = NEW.status;
  END IF;
  IF NEW.seats <= 0 THEN
    RAISE EXCEPTION 'license_purchase_seats_invalid' USING ERRCODE = '23514';
  END IF;
  IF NEW.term_months < 1 OR NEW.term_months > 36 THEN
    RAISE EXCEPTION 'license_purchase_term_invalid' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "license_purchases_check"
  BEFORE INSERT OR UPDATE ON "license_purchases"
  FOR EACH ROW EXECUTE FUNCTION "twofold_license_purchases_check"();

ALTER TABLE "license_purchases" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "license_purchases" FOR ALL TO twofold_app
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE "license_pools" ADD COLUMN "purchase_id" UUID;
CREATE UNIQUE INDEX "license_pools_purchase_id_key" ON "license_pools"("purchase_id", "tenant_id");

-- Purchases the billing loop must act on, across tenants: pending (make the subscription) and
-- past_due whose grace ended before p_lapse_before (the pool lapses).
CREATE FUNCTION "twofold_license_purchases_to_reconcile"(p_lapse_before timestamptz, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid, status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT p.tenant_id, p.id, p.status FROM license_purchases p
   WHERE p.status = 'pending' OR (p.status = 'past_due' AND p.unpaid_since < p_lapse_before)
   ORDER BY p.created_at
   LIMIT p_limit;
END
$$;
REVOKE ALL ON FUNCTION "twofold_license_purchases_to_reconcile"(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_license_purchases_to_reconcile"(timestamptz, integer) TO twofold_app;

-- The tenant of a purchase's Stripe subscription (webhooks name the subscription, not our tenant).
CREATE FUNCTION "twofold_find_license_purchase"(p_stripe_subscription_id text)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT p.tenant_id, p.id FROM license_purchases p
   WHERE p.stripe_subscription_id = p_stripe_subscription_id;
END
$$;
REVOKE ALL ON FUNCTION "twofold_find_license_purchase"(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_find_license_purchase"(text) TO twofold_app;
