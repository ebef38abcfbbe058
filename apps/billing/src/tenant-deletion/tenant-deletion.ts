import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { MONTH_CLOSE_GRACE_MS, monthStartUtc, nextMonthStart } from '@twofold/billing/domain';
import { APP_CONFIG } from '@twofold/platform/config';
import { Clock, DbService } from '@twofold/platform/db';
import { MaintenanceSchedule, scheduleMaintenance } from '@twofold/platform/queue';
import { AuditLogRepository, TenantDeletionRepository } from '@twofold/tenancy/data-access';
import { moneySettled } from '@twofold/tenancy/domain';
import type { BillingWorkerConfig } from '../config';

/** Its own queue (no tenant): one job scheduler whatever the number of billing workers (decision 0022's pattern). */
export const TENANT_DELETION_QUEUE = 'maintenance.tenant-deletion';
const SCHEDULER_ID = 'tenant-deletion';
/** Tenants looked at per run; the next run takes the rest. */
const TENANTS_PER_RUN = 20;
const SYSTEM = { type: 'system', name: 'tenant-deletion' } as const;

export type TenantDeletionOutcome =
  { tenantId: string; outcome: 'resumed' | 'deleted' } | { tenantId: string; outcome: 'waiting'; waitingFor: string[] };

/**
 * docs/decisions/0026: deletes the tenants whose grace (TENANT_DELETION_GRACE_DAYS) is over.
 * 1. start: under the tenant row's lock (a resume that came first wins), its live providers are
 *    closed and the deletion is marked started; from then on resume answers 409;
 * 2. money gate: nothing is deleted until the month the providers were closed in has ended and been
 *    closed (user-month rows written), every usage row reached Stripe (or an operator voided it), and
 *    every Stripe subscription is cancelled: the billing loop does all three from those provider rows;
 * 3. purge: the tenant's personal data, credentials and audit entries in bounded batches (one
 *    statement of at most TENANT_DELETION_BATCH_SIZE rows per transaction), children first;
 * 4. tombstone: the tenant row stays, marked deleted, with one audit entry that names no person.
 * Every step is safe to repeat: a killed run is picked up by the next.
 */
@Injectable()
export class TenantDeletion implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TenantDeletion.name);
  private schedule?: MaintenanceSchedule;

  constructor(
    @Inject(APP_CONFIG) private readonly config: BillingWorkerConfig,
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly deletions: TenantDeletionRepository,
    private readonly audit: AuditLogRepository,
  ) {}

  async run(): Promise<TenantDeletionOutcome[]> {
    const outcomes: TenantDeletionOutcome[] = [];
    for (const tenantId of await this.deletions.due(this.clock.now(), TENANTS_PER_RUN)) {
      outcomes.push(await this.deleteOne(tenantId));
    }
    return outcomes;
  }

  async deleteOne(tenantId: string): Promise<TenantDeletionOutcome> {
    const now = this.clock.now();
    const started = await this.db.inTenant(tenantId, async (scope) => {
      const tenant = await this.deletions.lock(scope);
      if (!tenant || !tenant.deletionDueAt || tenant.deletionDueAt > now) return null;
      if (tenant.deletionStartedAt) return tenant.deletionStartedAt;
      const providers = await this.deletions.start(scope, now);
      await this.audit.record(scope, SYSTEM, {
        action: 'tenant.deletion_start',
        targetType: 'tenant',
        targetId: tenantId,
        correlationId: `tenant-deletion:${tenantId}`,
        details: { providersClosed: providers },
      });
      this.logger.log({ tenantId, providersClosed: providers }, 'tenant deletion started');
      return now;
    });
    if (!started) return { tenantId, outcome: 'resumed' };

    const closingMonth = monthStartUtc(started);
    const closingMonthEnded = now.getTime() >= nextMonthStart(closingMonth).getTime() + MONTH_CLOSE_GRACE_MS;
    const facts = await this.db.inTenant(tenantId, (scope) =>
      this.deletions.moneyFacts(scope, closingMonth, closingMonthEnded),
    );
    const verdict = moneySettled(facts);
    if (!verdict.settled) {
      this.logger.log({ tenantId, waitingFor: verdict.waitingFor }, 'tenant deletion waits for its billing');
      return { tenantId, outcome: 'waiting', waitingFor: verdict.waitingFor };
    }

    const deleted: Record<string, number> = {};
    for (;;) {
      const batch = await this.deletions.purgeBatch(tenantId, this.config.TENANT_DELETION_BATCH_SIZE);
      if (!batch) break;
      deleted[batch.table] = (deleted[batch.table] ?? 0) + batch.deleted;
    }
    await this.db.inTenant(tenantId, async (scope) => {
      await this.deletions.tombstone(scope, this.clock.now());
      await this.audit.record(scope, SYSTEM, {
        action: 'tenant.delete',
        targetType: 'tenant',
        targetId: tenantId,
        correlationId: `tenant-deletion:${tenantId}`,
        details: { deleted },
      });
    });
    this.logger.log({ tenantId, deleted }, 'tenant deleted');
    return { tenantId, outcome: 'deleted' };
  }

  async onApplicationBootstrap(): Promise<void> {
    const every = this.config.TENANT_DELETION_EVERY_MS;
    if (every <= 0) return;
    this.schedule = await scheduleMaintenance({
      redisUrl: this.config.REDIS_URL,
      prefix: this.config.QUEUE_PREFIX,
      queue: TENANT_DELETION_QUEUE,
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
