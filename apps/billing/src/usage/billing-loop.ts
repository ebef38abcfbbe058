import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { backoffMs } from '@twofold/billing/domain';
import { LicensePurchaseService } from '../purchases/license-purchase.service';
import { SubscriptionReconciler } from '../subscriptions/subscription-reconciler.service';
import { UsageRelayService } from './usage-relay.service';
import { UserMonthService } from './user-month.service';

export const BILLING_LOOP_INTERVAL = Symbol('BILLING_LOOP_INTERVAL');

/**
 * The worker's billing loop (docs/decisions/0013-billing.md): reconcile Stripe objects, close ended
 * months of per_user providers, relay pending usage; repeat at once while there is work, pause when
 * idle, back off exponentially while Stripe fails. Every step works from Postgres state and is safe
 * to run in several workers at once (row locks, unique keys, idempotency keys), so a killed worker
 * loses nothing: the next one picks up where the rows say.
 */
@Injectable()
export class BillingLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BillingLoop.name);
  private stopped = false;
  private running?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly reconciler: SubscriptionReconciler,
    private readonly userMonths: UserMonthService,
    private readonly relay: UsageRelayService,
    private readonly purchases: LicensePurchaseService,
    @Inject(BILLING_LOOP_INTERVAL) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs > 0) this.running = this.run();
  }

  /** Before the last phase, which closes the database pool the loop uses. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  /**
   * One full pass; returns whether more work is probably waiting, whether Stripe failed, how many
   * rows are still pending after 12 h and how many Stripe refused for good (each kind logged as one
   * error per pass, see UsageRelayService.checkStale and checkFailed).
   */
  async pass(): Promise<{ busy: boolean; failing: boolean; staleRows: number; failedRows: number }> {
    const objects = await this.reconciler.reconcileAll();
    const seats = await this.purchases.reconcileAll();
    await this.userMonths.closeEndedMonths();
    const usage = await this.relay.relayAll();
    const stale = await this.relay.checkStale();
    const failed = await this.relay.checkFailed();
    return {
      busy: usage.claimed > 0 && usage.transientFailures === 0,
      failing: usage.transientFailures > 0 || objects.failed > 0 || seats.failed > 0,
      staleRows: stale.rows,
      failedRows: failed.length,
    };
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let wait = this.intervalMs;
      try {
        const r = await this.pass();
        failures = r.failing ? failures + 1 : 0;
        wait = r.failing ? backoffMs(failures) : r.busy ? 0 : this.intervalMs;
      } catch (error) {
        failures += 1;
        wait = backoffMs(failures);
        this.logger.error({ err: (error as Error).message }, 'billing pass failed');
      }
      if (wait > 0 && !this.stopped)
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
    }
  }
}
