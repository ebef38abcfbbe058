-- Billing: usage rows still pending long after they occurred (docs/decisions/0015-billing-operations.md).
-- Hand-written.

-- Only the rows the relay still has to send (or classify): small, whatever the ledger's size. It
-- serves the relay's claim (tenant, oldest first), the pending-tenants lookup and the stale-row
-- alert below, which otherwise scan every reported row of every month on each billing pass.
-- Partial, so Prisma's schema cannot express it (like the policies and functions here).
CREATE INDEX "usage_ledger_pending_idx" ON "usage_ledger" ("tenant_id", "occurred_at", "id")
  WHERE "reported_at" IS NULL AND "skipped_reason" IS NULL;

-- Per tenant: rows pending since before p_before, and the oldest one. Stripe deduplicates a retried
-- meter event only for about 24 hours, so the worker alerts on rows pending longer than 12 hours.
CREATE FUNCTION "twofold_stale_pending_usage"(p_before timestamptz)
RETURNS TABLE (tenant_id uuid, rows integer, oldest timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT u.tenant_id, count(*)::int, min(u.occurred_at) FROM usage_ledger u
   WHERE u.reported_at IS NULL AND u.skipped_reason IS NULL AND u.occurred_at < p_before
   GROUP BY u.tenant_id
   ORDER BY min(u.occurred_at)
$$;

REVOKE ALL ON FUNCTION "twofold_stale_pending_usage"(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_stale_pending_usage"(timestamptz) TO twofold_app;
