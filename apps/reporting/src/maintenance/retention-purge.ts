import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RecordRetentionRepository } from '@twofold/authentication/data-access';
import { APP_CONFIG } from '@twofold/platform/config';
import { Clock, DbService, SqlScope } from '@twofold/platform/db';
import { AuditRetentionRepository, TenantRepository } from '@twofold/tenancy/data-access';
import { commonCutoff, effectiveRetentionDays, retentionCutoff, RetentionBounds } from '@twofold/tenancy/domain';
import type { ReportingWorkerConfig } from '../config';
import { MaintenanceSchedule, scheduleMaintenance } from '@twofold/platform/queue';

/** The platform's retention queue (no tenant): one job scheduler, whatever the number of workers. */
export const RETENTION_QUEUE = 'maintenance.retention';
const SCHEDULER_ID = 'retention';

export interface RetentionReport {
  /** Whole monthly partitions of authentication_records dropped (no tenant keeps their month). */
  droppedPartitions: { partition: string; rows: number }[];
  /** Rows deleted per tenant, in batches, where the tenant keeps less than the longest retention. */
  records: Record<string, number>;
  audit: Record<string, number>;
}

/**
 * Issue 16 item 2 (docs/decisions/0025): authentication records and audit entries older than each
 * tenant's retention go. Whole months of records that no tenant keeps are detached and dropped (one
 * short lock on the parent, cheap whatever their size); the rest is deleted per tenant in batches of
 * RETENTION_PURGE_BATCH_SIZE, each in a transaction of its own, so no lock is held for long and a
 * stopped run loses nothing (the next one goes on). usage_ledger is never touched: it is financial
 * and holds no personal data. Logs counts and tenant ids only.
 */
@Injectable()
export class RetentionPurge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionPurge.name);
  private schedule?: MaintenanceSchedule;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ReportingWorkerConfig,
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly tenants: TenantRepository,
    private readonly records: RecordRetentionRepository,
    private readonly auditEntries: AuditRetentionRepository,
  ) {}

  private bounds(kind: 'RECORD' | 'AUDIT'): RetentionBounds {
    return {
      defaultDays: this.config[`${kind}_RETENTION_DAYS_DEFAULT`],
      minDays: this.config[`${kind}_RETENTION_DAYS_MIN`],
      maxDays: this.config[`${kind}_RETENTION_DAYS_MAX`],
    };
  }

  async run(): Promise<RetentionReport> {
    const now = this.clock.now();
    const recordBounds = this.bounds('RECORD');
    const auditBounds = this.bounds('AUDIT');
    const tenants = await this.tenants.retentionSettings(this.db);
    const recordDays = tenants.map((t) => effectiveRetentionDays(t.recordRetentionDays, recordBounds));
    const droppedPartitions = await this.records.dropMonthsBefore(this.db, commonCutoff(now, recordDays, recordBounds));
    const report: RetentionReport = { droppedPartitions, records: {}, audit: {} };
    for (const t of tenants) {
      const records = await this.inBatches(t.tenantId, (scope, limit) =>
        this.records.purgeBatch(
          scope,
          retentionCutoff(now, effectiveRetentionDays(t.recordRetentionDays, recordBounds)),
          limit,
        ),
      );
      if (records > 0) report.records[t.tenantId] = records;
      const audit = await this.inBatches(t.tenantId, (scope, limit) =>
        this.auditEntries.purgeBatch(
          scope,
          retentionCutoff(now, effectiveRetentionDays(t.auditRetentionDays, auditBounds)),
          limit,
        ),
      );
      if (audit > 0) report.audit[t.tenantId] = audit;
    }
    this.logger.log(
      {
        droppedPartitions,
        recordsDeleted: Object.values(report.records).reduce((a, b) => a + b, 0),
        auditDeleted: Object.values(report.audit).reduce((a, b) => a + b, 0),
        perTenant: { records: report.records, audit: report.audit },
      },
      'retention purge',
    );
    return report;
  }

  /** One short transaction per batch, until a batch comes back short. */
  private async inBatches(tenantId: string, batch: (scope: SqlScope, limit: number) => Promise<number>) {
    const limit = this.config.RETENTION_PURGE_BATCH_SIZE;
    let total = 0;
    for (;;) {
      const n = await this.db.inTenantSql(tenantId, (scope) => batch(scope, limit));
      total += n;
      if (n < limit) return total;
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const every = this.config.RETENTION_PURGE_EVERY_MS;
    if (every <= 0) return;
    this.schedule = await scheduleMaintenance({
      redisUrl: this.config.REDIS_URL,
      prefix: this.config.QUEUE_PREFIX,
      queue: RETENTION_QUEUE,
      schedulerId: SCHEDULER_ID,
      every,
      run: () => this.run(),
      logger: this.logger,
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.schedule?.close();
  }
}
