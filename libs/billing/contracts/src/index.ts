/** Moves usage rows from the Postgres outbox to Stripe (apps/billing worker). */
export interface ReportUsageJob {
  type: 'billing.usage.report';
  tenantId: string;
  idempotencyKey: string;
  usageEntryId: string;
}

export type BillingUsageJob = ReportUsageJob;
