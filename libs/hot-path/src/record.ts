import type { TappedStatement } from '@twofold/platform/db';
import { type CatalogContext, HOT_STATEMENTS, type HotStatementCase } from './catalog';

export interface RecordedCase {
  case: HotStatementCase;
  /** What the case sent, in order, without the transaction's own BEGIN, tenant setting and ROLLBACK. */
  statements: TappedStatement[];
  /** The plan_cache_mode its transaction set (SqlTransactionOptions), if any. */
  planCacheMode: string | null;
}

/** Transaction control and the tenant setting: the same for every case, not part of any plan. */
const MECHANICS = [/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i, /^\s*SET\s/i, /set_config\('app\.tenant_id'/];

/** Runs every catalogue case against `ctx.db` and records the statements each one sent. */
export async function recordHotStatements(ctx: CatalogContext): Promise<RecordedCase[]> {
  const recorded: RecordedCase[] = [];
  for (const c of HOT_STATEMENTS) {
    const statements: TappedStatement[] = [];
    let planCacheMode: string | null = null;
    const untap = ctx.db.tapStatements((s) => {
      planCacheMode = /SET LOCAL plan_cache_mode = (\w+)/.exec(s.text)?.[1] ?? planCacheMode;
      if (!MECHANICS.some((m) => m.test(s.text))) statements.push(s);
    });
    try {
      await c.run(ctx);
    } finally {
      untap();
    }
    if (statements.length === 0) throw new Error(`hot-path case "${c.what}" sent no statement`);
    recorded.push({ case: c, statements, planCacheMode });
  }
  return recorded;
}
