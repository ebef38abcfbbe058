import { Injectable } from '@nestjs/common';
import { DbService } from '@twofold/platform/db';

export interface UsageBacklogRow {
  pending: number;
  stale: number;
  oldest: Date | null;
}

/**
 * The usage outbox's backlog over all tenants, for the /metrics gauges (docs/decisions/0024). Reads
 * through twofold_stale_pending_usage (SECURITY DEFINER: RLS hides other tenants from the app role),
 * which walks only the partial index of pending rows: its cost follows the backlog, not the ledger.
 */
@Injectable()
export class UsageBacklogRepository {
  constructor(private readonly db: DbService) {}

  /** Pending rows, those that occurred before `staleBefore`, and the oldest pending row's time. */
  async backlog(staleBefore: Date): Promise<UsageBacklogRow> {
    const [row] = await this.db.client.$queryRaw<UsageBacklogRow[]>`
      WITH pending AS (SELECT rows, oldest FROM twofold_stale_pending_usage('infinity'::timestamptz)),
           stale AS (SELECT rows FROM twofold_stale_pending_usage(${staleBefore}::timestamptz))
      SELECT (SELECT coalesce(sum(rows), 0) FROM pending)::int AS pending,
             (SELECT coalesce(sum(rows), 0) FROM stale)::int AS stale,
             (SELECT min(oldest) FROM pending) AS oldest`;
    return row ?? { pending: 0, stale: 0, oldest: null };
  }
}
