/**
 * Asks the billing worker to report a tenant's pending usage now (the worker's own loop does it
 * anyway within BILLING_LOOP_INTERVAL_MS; this only shortens the wait). The outbox rows themselves
 * are the source of truth, so a lost or doubled job changes nothing.
 */
export interface ReportUsageJob {
  type: 'billing.usage.report';
  tenantId: string;
  idempotencyKey: string;
}

export type BillingUsageJob = ReportUsageJob;

/** Current-period usage of one provider (tenant admin API). */
export interface ProviderUsageDto {
  providerId: string;
  name: string;
  billingModel: 'per_user' | 'per_authentication';
  deleted: boolean;
  /** R2: authentications this period (every one, licensed users included). */
  authentications: number;
  /** R3: users enabled and unlicensed at some moment of the period so far (per_user only; 0 otherwise). */
  billableUsers: number;
  /** R4: users enabled during the period and licensed for all of it (per_user only). */
  licensedUsers: number;
  /** Usage rows already accepted by Stripe, and still waiting. */
  reported: number;
  pending: number;
}

export interface BillingUsageDto {
  period: string;
  periodStart: string;
  periodEnd: string;
  providers: ProviderUsageDto[];
}
