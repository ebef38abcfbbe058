import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@twofold/platform/config';
import { Clock, DbService } from '@twofold/platform/db';
import type { ReportingWorkerConfig } from '../config';
import { MaintenanceSchedule, scheduleMaintenance } from '@twofold/platform/queue';

/** The platform's maintenance queue (no tenant): one job scheduler, whatever the number of workers. */
export const MAINTENANCE_QUEUE = 'maintenance.partitions';
const SCHEDULER_ID = 'partitions';

export interface PartitionReport {
  table: string;
  /** Month partitions made by this run. */
  created: number;
  /** Rows that were in the DEFAULT partition and now sit in their month's partition. */
  moved: number;
}

/**
 * Issue 16 item 1 (docs/decisions/0022): keeps the monthly partitions of authentication_records and
 * usage_ledger PARTITION_MONTHS_AHEAD months ahead, and moves any rows found in DEFAULT into their
 * month's partition with an alert. Scheduled as a BullMQ job scheduler (upsertJobScheduler with a
 * fixed id): every reporting worker upserts the same schedule, BullMQ makes one job per period, and one
 * worker runs it; the database function also serialises runs per table.
 */
@Injectable()
export class PartitionMaintenance implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PartitionMaintenance.name);
  private schedule?: MaintenanceSchedule;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ReportingWorkerConfig,
    private readonly db: DbService,
    private readonly clock: Clock,
  ) {}

  async run(): Promise<PartitionReport[]> {
    const rows = await this.db.query<{ table_name: string; created: number; moved: string }>(
      'SELECT table_name, created, moved FROM twofold_maintain_partitions($1::timestamptz, $2::int)',
      [this.clock.now(), this.config.PARTITION_MONTHS_AHEAD],
    );
    const report = rows.map((r) => ({ table: r.table_name, created: r.created, moved: Number(r.moved) }));
    const moved = report.filter((r) => r.moved > 0);
    if (moved.length > 0)
      this.logger.error(
        { alert: 'partition_default_rows', moved },
        'rows were in a DEFAULT partition (a month had no partition): moved into their month; check that this job runs',
      );
    else this.logger.log({ report }, 'partitions maintained');
    return report;
  }

  async onApplicationBootstrap(): Promise<void> {
    const every = this.config.PARTITION_MAINTENANCE_EVERY_MS;
    if (every <= 0) return;
    this.schedule = await scheduleMaintenance({
      redisUrl: this.config.REDIS_URL,
      prefix: this.config.QUEUE_PREFIX,
      queue: MAINTENANCE_QUEUE,
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
