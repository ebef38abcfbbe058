-- Billing (docs/decisions/0013-billing.md). Hand-written.

-- AlterTable
ALTER TABLE "usage_ledger" ADD COLUMN "skipped_reason" TEXT;

-- AlterTable
ALTER TABLE "stripe_customers" ADD COLUMN "unpaid_since" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "stripe_subscriptions" ADD COLUMN "last_event_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "stripe_invoices" ADD COLUMN "last_event_at" TIMESTAMPTZ(3);

-- The billing worker runs before any tenant is known. These return only the tenant (and the
-- object) to act on; the worker then does the work inside that tenant's scope (RLS applies).

-- Tenants with usage rows still to report (or to classify as never billed).
CREATE FUNCTION "twofold_pending_usage_tenants"(p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT DISTINCT u.tenant_id FROM usage_ledger u
   WHERE u.reported_at IS NULL AND u.skipped_reason IS NULL
   LIMIT p_limit
$$;

-- R10: providers without a subscription yet, and deleted providers whose subscription still runs.
-- Free-tier tenants (R9) get no subscription.
CREATE FUNCTION "twofold_providers_to_reconcile"(p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.tenant_id, p.id FROM providers p
    JOIN tenants t ON t.id = p.tenant_id
    LEFT JOIN stripe_subscriptions s ON s.tenant_id = p.tenant_id AND s.provider_id = p.id
   WHERE (p.deleted_at IS NULL AND s.id IS NULL AND t.tier <> 'free')
      OR (p.deleted_at IS NOT NULL AND s.id IS NOT NULL AND s.status <> 'canceled')
   ORDER BY p.created_at
   LIMIT p_limit
$$;

-- R3: per_user providers (deleted ones too: the months they ran are still billed).
CREATE FUNCTION "twofold_per_user_providers"()
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.tenant_id, p.id FROM providers p WHERE p.billing_model = 'per_user'
$$;

-- Reconciliation walks every Stripe customer we created.
CREATE FUNCTION "twofold_stripe_customers"()
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.tenant_id, c.id FROM stripe_customers c
$$;

REVOKE ALL ON FUNCTION "twofold_pending_usage_tenants"(integer), "twofold_providers_to_reconcile"(integer),
  "twofold_per_user_providers"(), "twofold_stripe_customers"() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_pending_usage_tenants"(integer), "twofold_providers_to_reconcile"(integer),
  "twofold_per_user_providers"(), "twofold_stripe_customers"() TO twofold_app;
