import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { UsageBacklogRepository } from '@twofold/billing/data-access';
import { STALE_PENDING_USAGE_MS } from '@twofold/billing/domain';
import { Clock } from '@twofold/platform/db';
import { measureUsage } from '@twofold/platform/metrics';

/**
 * The usage gauges of /metrics (twofold_usage_rows{state}, twofold_usage_oldest_pending_age_seconds):
 * one statement when scraped, nothing in between (docs/decisions/0024).
 */
@Injectable()
export class UsageMetrics implements OnModuleInit, OnModuleDestroy {
  private stop?: () => void;

  constructor(
    private readonly backlog: UsageBacklogRepository,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.stop = measureUsage(async () => {
      const now = this.clock.now().getTime();
      const row = await this.backlog.backlog(new Date(now - STALE_PENDING_USAGE_MS));
      return {
        pending: row.pending,
        stale: row.stale,
        oldestPendingSeconds: row.oldest ? Math.max(0, (now - row.oldest.getTime()) / 1000) : 0,
      };
    });
  }

  onModuleDestroy(): void {
    this.stop?.();
  }
}
