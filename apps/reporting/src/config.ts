import { z } from 'zod';
import {
  checkRetentionBounds,
  Env,
  loadConfig,
  reportingConfigSchema,
  retentionConfigSchema,
  workerConfigSchema,
} from '@twofold/platform/config';
import type { ReportReadLimits } from '@twofold/reporting/data-access';

const whole = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ invalid_type_error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`)
    .default(fallback);

/** Where export files go, how long they stay, and what one tenant may hold (R27; issue 15 item 6). */
const exportSettings = z.object({
  EXPORT_DIR: z.string().min(1).default('tmp/exports'),
  EXPORT_RETENTION_HOURS: whole(1, 8760, 72),
  /** Bytes of export files a tenant may hold (done, not yet expired); an export that would pass it fails. */
  EXPORT_TENANT_QUOTA_BYTES: whole(1024, Number.MAX_SAFE_INTEGER, 1024 * 1024 * 1024),
  /** Exports of one tenant queued or running at once; one more gets 429 `export_limit_reached`. */
  EXPORT_ACTIVE_PER_TENANT: whole(1, 100, 2),
});

/** The report pool of the HTTP service: what one download may hold, and for how long. */
const reportReadSettings = z.object({
  REPORT_CONNECT_TIMEOUT_MS: whole(100, 60_000, 5_000),
  REPORT_STATEMENT_TIMEOUT_MS: whole(100, 3_600_000, 60_000),
  REPORT_IDLE_IN_TRANSACTION_TIMEOUT_MS: whole(100, 3_600_000, 30_000),
  REPORT_MAX_SECONDS: whole(1, 86_400, 600),
  REPORT_CONNECTIONS_PER_TENANT: whole(1, 100, 1),
});

/** Monthly partitions kept ahead by the worker's scheduled job (issue 16 item 1, decision 0022). */
const partitionSettings = z.object({
  PARTITION_MONTHS_AHEAD: whole(1, 24, 3),
  /** How often the job runs (ms); 0 = not scheduled by this process (tests call it). */
  PARTITION_MAINTENANCE_EVERY_MS: whole(0, 86_400_000, 3_600_000),
});

/** The retention purge (issue 16 item 2, docs/decisions/0025). */
const retentionPurgeSettings = z.object({
  /** How often the purge runs (ms); 0 = not scheduled by this process (tests call it). */
  RETENTION_PURGE_EVERY_MS: whole(0, 86_400_000, 3_600_000),
  /** Rows deleted per statement (each its own short transaction) where tenants' retentions differ. */
  RETENTION_PURGE_BATCH_SIZE: whole(1, 100_000, 5_000),
});

/** The report pool of the export worker: files are written locally, so the bounds are longer. */
const exportReadSettings = z.object({
  EXPORT_STATEMENT_TIMEOUT_MS: whole(1_000, 86_400_000, 1_800_000),
  EXPORT_IDLE_IN_TRANSACTION_TIMEOUT_MS: whole(100, 3_600_000, 60_000),
  EXPORT_MAX_SECONDS: whole(1, 86_400, 3_600),
});

export const reportingHttpSchema = reportingConfigSchema.merge(exportSettings).merge(reportReadSettings);
export const reportingWorkerSchema = workerConfigSchema
  .merge(exportSettings)
  .merge(exportReadSettings)
  .merge(partitionSettings)
  .merge(retentionConfigSchema)
  .merge(retentionPurgeSettings)
  .superRefine(checkRetentionBounds);
export type ReportingHttpConfig = z.infer<typeof reportingHttpSchema>;
export type ReportingWorkerConfig = z.infer<typeof reportingWorkerSchema>;

export const loadHttpConfig = (env?: Env): ReportingHttpConfig => loadConfig(reportingHttpSchema, env);
export const loadWorkerConfig = (env?: Env): ReportingWorkerConfig => loadConfig(reportingWorkerSchema, env);

export const httpReadLimits = (c: ReportingHttpConfig): ReportReadLimits => ({
  connectTimeoutMs: c.REPORT_CONNECT_TIMEOUT_MS,
  statementTimeoutMs: c.REPORT_STATEMENT_TIMEOUT_MS,
  idleInTransactionTimeoutMs: c.REPORT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  maxReadMs: c.REPORT_MAX_SECONDS * 1000,
  connectionsPerTenant: c.REPORT_CONNECTIONS_PER_TENANT,
});

export const workerReadLimits = (c: ReportingWorkerConfig): ReportReadLimits => ({
  connectTimeoutMs: 30_000,
  statementTimeoutMs: c.EXPORT_STATEMENT_TIMEOUT_MS,
  idleInTransactionTimeoutMs: c.EXPORT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  maxReadMs: c.EXPORT_MAX_SECONDS * 1000,
  // Exports are capped per tenant when created (EXPORT_ACTIVE_PER_TENANT); WORKER_CONCURRENCY bounds the rest.
  connectionsPerTenant: null,
});
