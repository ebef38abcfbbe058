/**
 * PostgreSQL's time per statement for bench/authentications.bench.ts, from `pg_stat_statements`,
 * over a measured window only: a snapshot when the window opens, one when it closes, and the
 * difference (no reset, so nothing else on the cluster loses its figures).
 *
 * The view needs the library in `shared_preload_libraries` (a restart) and the extension in the
 * database that reads it. `enableStatements` creates the extension in the bench database, as a
 * superuser, and sets `pg_stat_statements.track_planning` for that database only (it is dropped at
 * the end; BENCH_TRACK_PLANNING=0 turns it off: with many connections running the same few
 * statements its bookkeeping has a cost of its own); when the library is not preloaded it returns
 * the exact command to run instead.
 */
import { Client } from 'pg';

export interface StatementRow {
  key: string;
  query: string;
  calls: number;
  /** Milliseconds, summed over the calls. */
  execMs: number;
  planMs: number;
  plans: number;
  rows: number;
  hit: number;
  read: number;
}

export type StatementSnapshot = Map<string, StatementRow>;

/** Whether the view can be read; otherwise why not and what to run. */
export type StatementsAvailability = { ok: true } | { ok: false; hint: string };

export async function enableStatements(
  c: Client,
  database: string,
  trackPlanning: boolean,
): Promise<StatementsAvailability> {
  const preload = (await c.query<{ v: string }>(`SELECT current_setting('shared_preload_libraries') AS v`)).rows[0].v;
  const libraries = preload
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!libraries.includes('pg_stat_statements')) {
    const wanted = [...libraries, 'pg_stat_statements'].join(',');
    return {
      ok: false,
      hint:
        `pg_stat_statements is not in shared_preload_libraries, so no per-statement figures. As a superuser: ` +
        `ALTER SYSTEM SET shared_preload_libraries = '${wanted}'; then restart PostgreSQL ` +
        `(e.g. sudo systemctl restart postgresql) and run the bench again`,
    };
  }
  try {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // Plan time is only counted with track_planning (off by default; a little overhead of its own).
    await c.query(
      `ALTER DATABASE "${database}" SET pg_stat_statements.track_planning = ${trackPlanning ? 'on' : 'off'}`,
    );
  } catch (error) {
    return {
      ok: false,
      hint:
        `CREATE EXTENSION pg_stat_statements failed (${(error as Error).message}): install PostgreSQL's contrib ` +
        `package and connect as a superuser`,
    };
  }
  return { ok: true };
}

/** Every entry of `databases` run by `role`, top-level statements only. */
export async function statementSnapshot(c: Client, databases: string[], role: string): Promise<StatementSnapshot> {
  const { rows } = await c.query<{
    key: string;
    query: string;
    calls: string;
    exec: number;
    plan: number;
    plans: string;
    rows: string;
    hit: string;
    read: string;
  }>(
    `SELECT s.dbid || ':' || s.queryid AS key, s.query, s.calls, s.total_exec_time AS exec,
            s.total_plan_time AS plan, s.plans, s.rows, s.shared_blks_hit AS hit, s.shared_blks_read AS read
       FROM pg_stat_statements s
       JOIN pg_database d ON d.oid = s.dbid
       JOIN pg_roles r ON r.oid = s.userid
      WHERE d.datname = ANY($1) AND r.rolname = $2 AND s.toplevel`,
    [databases, role],
  );
  return new Map(
    rows.map((r) => [
      r.key,
      {
        key: r.key,
        query: r.query,
        calls: Number(r.calls),
        execMs: Number(r.exec),
        planMs: Number(r.plan),
        plans: Number(r.plans),
        rows: Number(r.rows),
        hit: Number(r.hit),
        read: Number(r.read),
      },
    ]),
  );
}

/**
 * What ran between two snapshots. An entry missing at the start counts from zero; one that was
 * evicted and made again in between (pg_stat_statements.max reached) counts from zero too.
 */
export function statementWindow(a: StatementSnapshot, b: StatementSnapshot): StatementRow[] {
  const out: StatementRow[] = [];
  for (const [key, end] of b) {
    const begin = a.get(key);
    const from = begin && begin.calls <= end.calls ? begin : undefined;
    const calls = end.calls - (from?.calls ?? 0);
    if (calls <= 0) continue;
    out.push({
      key,
      query: end.query,
      calls,
      execMs: end.execMs - (from?.execMs ?? 0),
      planMs: end.planMs - (from?.planMs ?? 0),
      plans: end.plans - (from?.plans ?? 0),
      rows: end.rows - (from?.rows ?? 0),
      hit: end.hit - (from?.hit ?? 0),
      read: end.read - (from?.read ?? 0),
    });
  }
  return out.sort((x, y) => y.execMs + y.planMs - (x.execMs + x.planMs));
}

/** Transaction control and settings: BEGIN, COMMIT, END, ROLLBACK, SET. */
export const isUtility = (query: string): boolean => /^\s*(BEGIN|COMMIT|END|ROLLBACK|SET|START)\b/i.test(query);

/**
 * Runs of a script in a window: the calls of its other statements ÷ how many it has per run. Not
 * COMMITs: pg_stat_statements counts a utility statement sent as a prepared statement (pgbench
 * -M prepared) only the first time each connection runs it.
 */
export const scriptRuns = (rows: StatementRow[], statementsPerRun: number): number =>
  rows.filter((r) => !isUtility(r.query)).reduce((n, r) => n + r.calls, 0) / statementsPerRun;

const short = (query: string, width: number): string => {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
};

/**
 * One line per statement, by total (exec + plan) time: calls, calls per `unit`, mean exec and plan
 * ms (plan over the calls that planned), rows per call, shared blocks hit and read per call.
 */
export function statementLines(rows: StatementRow[], units: number, unit: string, width = 90): string[] {
  const total = rows.reduce((s, r) => s + r.execMs + r.planMs, 0);
  const lines = [
    `  total_ms  calls  per_${unit}  mean_exec_ms  mean_plan_ms(plans)  rows/call  hit/call  read/call  statement`,
  ];
  for (const r of rows) {
    lines.push(
      `  ${(r.execMs + r.planMs).toFixed(0).padStart(8)}  ${String(r.calls).padStart(5)}  ` +
        `${(r.calls / units).toFixed(2).padStart(5 + unit.length)}  ${(r.execMs / r.calls).toFixed(3).padStart(12)}  ` +
        `${(r.plans ? r.planMs / r.plans : 0).toFixed(3).padStart(12)}(${String(r.plans).padStart(5)})  ` +
        `${(r.rows / r.calls).toFixed(2).padStart(9)}  ${(r.hit / r.calls).toFixed(1).padStart(8)}  ` +
        `${(r.read / r.calls).toFixed(2).padStart(9)}  ${short(r.query, width)}`,
    );
  }
  lines.push(
    `  ${total.toFixed(0).padStart(8)}  total: ${((total / units) * 1000).toFixed(0)} µs of statement time per ${unit} ` +
      `(${(rows.reduce((s, r) => s + r.calls, 0) / units).toFixed(1)} statements per ${unit})`,
  );
  return lines;
}
