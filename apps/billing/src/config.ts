import { billingConfigSchema, describeConfig, Env, loadConfig, workerConfigSchema } from '@twofold/platform/config';
import { z } from 'zod';

/**
 * Stripe settings of the billing HTTP app and worker (STRIPE_API_BASE_URL points the official SDK at
 * another Stripe-compatible server: the fake in tests). Secrets are masked by describeBillingConfig.
 */
const stripeConfigSchema = z.object({
  STRIPE_API_BASE_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v), 'must be an http:// or https:// URL')
    .default('https://api.stripe.com'),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_…/sk_live_…)'),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\w+$/, 'must be a Stripe webhook signing secret (whsec_…)'),
  /** Metered prices (R10): the subscription item of each provider uses its model's price. */
  STRIPE_PRICE_PER_AUTHENTICATION: z.string().min(1).default('price_auth'),
  STRIPE_PRICE_PER_USER: z.string().min(1).default('price_user'),
  /** Licensed (per-seat, monthly) price of license seats bought through Stripe (R4, decision 0018). */
  STRIPE_PRICE_PER_SEAT: z.string().min(1).default('price_seat'),
  /** Days a bought pool stays in force after a renewal payment failed; then it lapses (decision 0018). */
  LICENSE_UNPAID_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(14),
  /** Billing meters behind those prices: the event name meter events are sent with, and the id reconciliation reads. */
  STRIPE_METER_EVENT_AUTHENTICATIONS: z.string().min(1).default('twofold_authentications'),
  STRIPE_METER_EVENT_USERS: z.string().min(1).default('twofold_billable_users'),
  STRIPE_METER_ID_AUTHENTICATIONS: z.string().min(1).default('mtr_auth'),
  STRIPE_METER_ID_USERS: z.string().min(1).default('mtr_user'),
  /** Per-call timeout of Stripe requests; a timed-out call is retried later (never lost, never counted twice). */
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(8_000),
});

const billingWorkerSchema = workerConfigSchema.merge(stripeConfigSchema).extend({
  /** Pause of the billing loop when there is nothing to do (ms). 0 = no loop (tests drive it). */
  BILLING_LOOP_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(2_000),
  /** Usage rows claimed per tenant batch, and parallel meter-event calls within it. */
  BILLING_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(200),
  BILLING_STRIPE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  /** How long claimed usage rows are withheld from other passes while their Stripe calls run (ms). */
  BILLING_CLAIM_LEASE_MS: z.coerce.number().int().min(10_000).max(3_600_000).default(300_000),
  /**
   * Tenant deletion (docs/decisions/0026): how often the scheduled job looks for tenants whose grace
   * is over (ms; 0 = this process does not schedule it), and rows deleted per statement.
   */
  TENANT_DELETION_EVERY_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
  TENANT_DELETION_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1_000),
});

const billingHttpSchema = billingConfigSchema.merge(stripeConfigSchema);

export type StripeConfig = z.infer<typeof stripeConfigSchema>;
export type BillingHttpConfig = z.infer<typeof billingHttpSchema>;
export type BillingWorkerConfig = z.infer<typeof billingWorkerSchema>;

/**
 * Development/test stand-ins so `npm start` boots without a Stripe account (calls then fail and
 * back off, nothing is lost). Only with NODE_ENV=development or test: any other mode refuses to boot
 * without real values, and with these (loadConfig).
 */
export const DEV_STRIPE = {
  STRIPE_SECRET_KEY: 'sk_test_development_only',
  STRIPE_WEBHOOK_SECRET: 'whsec_development_only',
} as const;

export const loadHttpConfig = (env?: Env): BillingHttpConfig => loadConfig(billingHttpSchema, env, DEV_STRIPE);
export const loadWorkerConfig = (env?: Env): BillingWorkerConfig => loadConfig(billingWorkerSchema, env, DEV_STRIPE);

const BILLING_SENSITIVE = ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'];

/** A copy safe to log: the platform's masking plus the Stripe secrets. */
export function describeBillingConfig(config: Record<string, unknown>): Record<string, unknown> {
  const described = describeConfig(config);
  for (const key of BILLING_SENSITIVE) if (key in described) described[key] = '***';
  return described;
}
