import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One registry per process (docs/decisions/0024): every metric of this file, plus prom-client's
 * default process metrics (CPU, memory, event loop lag, GC, handles). Counters and histograms are
 * in-memory increments on the request or job path; gauges are computed when scraped.
 *
 * Labels carry no tenant id, user, phone number or raw URL: each label takes values from a short,
 * fixed list (a route template, a method name, a status word), so the series count stays bounded.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const EXTERNAL_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const httpRequestDuration = new Histogram({
  name: 'twofold_http_request_duration_seconds',
  help: 'HTTP requests by route template (never the raw URL), method and status code.',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: HTTP_BUCKETS,
  registers: [metricsRegistry],
});

export const authenticationsTotal = new Counter({
  name: 'twofold_authentications_total',
  help: 'Authentications that ended (R26 record written), by method and result (success or deny).',
  labelNames: ['method', 'result'] as const,
  registers: [metricsRegistry],
});

export const authenticationDenialsTotal = new Counter({
  name: 'twofold_authentication_denials_total',
  help: 'Authentications that ended denied, by method and deny reason (expired, too_many_attempts, …).',
  labelNames: ['method', 'reason'] as const,
  registers: [metricsRegistry],
});

export const deliveryOutcomesTotal = new Counter({
  name: 'twofold_delivery_outcomes_total',
  help: 'Message status changes (R24): sent, delivered, undelivered, failed, refused, … by channel (sms, voice).',
  labelNames: ['channel', 'status'] as const,
  registers: [metricsRegistry],
});

export const lockoutsTotal = new Counter({
  name: 'twofold_lockouts_total',
  help: 'Locks started after repeated failed verifications (decision 0009), by what is protected.',
  labelNames: ['name'] as const,
  registers: [metricsRegistry],
});

export const lockoutRefusalsTotal = new Counter({
  name: 'twofold_lockout_refusals_total',
  help: 'Requests refused because their subject was locked out, by what is protected.',
  labelNames: ['name'] as const,
  registers: [metricsRegistry],
});

export const rateLimitRefusalsTotal = new Counter({
  name: 'twofold_rate_limit_refusals_total',
  help: 'Requests refused by a rate limit or velocity cap, by limiter.',
  labelNames: ['limiter'] as const,
  registers: [metricsRegistry],
});

export const twilioRequestDuration = new Histogram({
  name: 'twofold_twilio_request_duration_seconds',
  help: 'Twilio API requests made by our code, by operation and outcome (ok or error).',
  labelNames: ['operation', 'outcome'] as const,
  buckets: EXTERNAL_BUCKETS,
  registers: [metricsRegistry],
});

export const twilioErrorsTotal = new Counter({
  name: 'twofold_twilio_errors_total',
  help: 'Failed Twilio API requests, by operation, Twilio error code (or http_<status>, network) and whether a retry may help.',
  labelNames: ['operation', 'code', 'transient'] as const,
  registers: [metricsRegistry],
});

export const stripeRequestDuration = new Histogram({
  name: 'twofold_stripe_request_duration_seconds',
  help: 'Stripe API requests made by our code, by operation and outcome (ok or error).',
  labelNames: ['operation', 'outcome'] as const,
  buckets: EXTERNAL_BUCKETS,
  registers: [metricsRegistry],
});

export const stripeErrorsTotal = new Counter({
  name: 'twofold_stripe_errors_total',
  help: 'Failed Stripe API requests, by operation and kind of failure.',
  labelNames: ['operation', 'kind'] as const,
  registers: [metricsRegistry],
});

export const metricsCollectErrorsTotal = new Counter({
  name: 'twofold_metrics_collect_errors_total',
  help: 'Scrape-time collectors that failed or timed out (their gauges are left out of that scrape).',
  labelNames: ['collector'] as const,
  registers: [metricsRegistry],
});

/** A scrape never waits longer than this on Redis or PostgreSQL. */
const COLLECT_TIMEOUT_MS = 3_000;

async function withTimeout<T>(work: Promise<T>, ms = COLLECT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export const QUEUE_STATES = ['waiting', 'active', 'failed', 'delayed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];
export type QueueCounts = Partial<Record<QueueState, number>>;

const queueSources = new Map<string, () => Promise<QueueCounts>>();

/**
 * Jobs per queue and state, read from BullMQ (getJobCounts) when scraped, for the queues this process
 * produces to or serves. Every replica reports the same numbers: aggregate with max(), not sum().
 */
export const queueJobs = new Gauge({
  name: 'twofold_queue_jobs',
  // Every process reads the same source: several cluster workers' values are one value (cluster.ts).
  aggregator: 'max',
  help: 'BullMQ jobs per queue and state (waiting, active, failed, delayed), read when scraped.',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    await Promise.all(
      [...queueSources].map(async ([queue, read]) => {
        try {
          const counts = await withTimeout(read());
          for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0);
        } catch {
          metricsCollectErrorsTotal.inc({ collector: 'queue' });
        }
      }),
    );
  },
});

/** Registers (or replaces) the reader of one queue's counts; the returned function removes it again. */
export function measureQueue(queue: string, read: () => Promise<QueueCounts>): () => void {
  queueSources.set(queue, read);
  return () => {
    if (queueSources.get(queue) === read) queueSources.delete(queue);
  };
}

export interface UsageBacklog {
  /** Usage rows not yet reported to Stripe, not skipped and not failed for good. */
  pending: number;
  /** Of those, rows that occurred more than 12 hours ago (decision 0015). */
  stale: number;
  /** Age of the oldest pending row, 0 when there is none. */
  oldestPendingSeconds: number;
}

let usageSource: (() => Promise<UsageBacklog>) | null = null;
let usageInFlight: Promise<UsageBacklog | null> | null = null;

/**
 * One read per scrape, shared by the usage gauges: the registry collects every metric at once, so the
 * second gauge finds the first one's read still in flight. Nothing is cached past it.
 */
function readUsage(): Promise<UsageBacklog | null> {
  const source = usageSource;
  if (!source) return Promise.resolve(null);
  if (usageInFlight) return usageInFlight;
  const read = withTimeout(source())
    .catch(() => {
      metricsCollectErrorsTotal.inc({ collector: 'usage' });
      return null;
    })
    .finally(() => {
      if (usageInFlight === read) usageInFlight = null;
    });
  usageInFlight = read;
  return read;
}

export const usageRows = new Gauge({
  name: 'twofold_usage_rows',
  // Every process reads the same source: several cluster workers' values are one value (cluster.ts).
  aggregator: 'max',
  help: 'Usage rows waiting for Stripe (state="pending") and those pending for more than 12 h (state="stale"), all tenants, read when scraped.',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    const backlog = await readUsage();
    if (!backlog) return;
    this.set({ state: 'pending' }, backlog.pending);
    this.set({ state: 'stale' }, backlog.stale);
  },
});

export const usageOldestPendingAge = new Gauge({
  name: 'twofold_usage_oldest_pending_age_seconds',
  // Every process reads the same source: several cluster workers' values are one value (cluster.ts).
  aggregator: 'max',
  help: 'Age of the oldest usage row not yet reported to Stripe (0 when none), read when scraped.',
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    const backlog = await readUsage();
    if (backlog) this.set(backlog.oldestPendingSeconds);
  },
});

/** Registers the reader of the usage backlog (billing processes); the returned function removes it. */
export function measureUsage(read: () => Promise<UsageBacklog>): () => void {
  usageSource = read;
  return () => {
    if (usageSource === read) usageSource = null;
  };
}
