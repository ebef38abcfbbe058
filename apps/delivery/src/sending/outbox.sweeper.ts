import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OutboxMessage, OutboxRepository } from '@twofold/delivery/data-access';
import { APP_CONFIG, DeliveryWorkerConfig } from '@twofold/platform/config';
import { DbService } from '@twofold/platform/db';
import { QueueProducer } from '@twofold/platform/queue';

/** Messages looked at per round; a backlog larger than this drains over the next rounds. */
const BATCH = 500;

/**
 * The delivery outbox sweeper (docs/decisions/0019): every few seconds, a message still `queued`
 * with its sealed code a few seconds after it was written is enqueued again from its row. The job
 * id is the message id, so a job that is still waiting or running is not doubled, and a job that
 * already ran finds its message handled. Then the codes of ended authentications are cleared.
 * Safe on every worker replica at once for the same reasons.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: DeliveryWorkerConfig,
    private readonly db: DbService,
    private readonly outbox: OutboxRepository,
    private readonly producer: QueueProducer,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.DELIVERY_SWEEP_INTERVAL_SECONDS;
    if (seconds === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((error: unknown) =>
          this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'outbox sweep failed'),
        )
        .finally(() => (this.running = undefined));
    }, seconds * 1000);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round; returns how many jobs it enqueued (again). */
  async sweep(): Promise<number> {
    const due = await this.outbox.due(this.db, this.config.DELIVERY_SWEEP_AFTER_SECONDS, BATCH);
    const byTenant = new Map<string, string[]>();
    for (const { tenantId, id } of due) byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), id]);
    let enqueued = 0;
    for (const [tenantId, ids] of byTenant) {
      const messages = await this.db.inTenantSql(tenantId, (scope) => this.outbox.jobsOf(scope, ids));
      for (const m of messages) {
        await this.enqueue(tenantId, m);
        enqueued += 1;
      }
    }
    if (enqueued > 0) this.logger.warn({ enqueued }, 'outbox: queued messages enqueued again');
    await this.outbox.clearEnded(this.db, BATCH);
    return enqueued;
  }

  private enqueue(tenantId: string, m: OutboxMessage): Promise<void> {
    const base = {
      tenantId,
      idempotencyKey: m.id,
      authenticationId: m.authenticationId,
      messageId: m.id,
      code: m.code,
    };
    return m.channel === 'sms'
      ? this.producer.enqueue('delivery.sms', { type: 'delivery.sms.send', ...base })
      : this.producer.enqueue('delivery.voice', { type: 'delivery.voice.call', ...base, callerId: m.callerId });
  }
}
