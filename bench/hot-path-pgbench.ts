/**
 * The schema's ceiling for bench/authentications.bench.ts: a pgbench script made of the statements
 * the service really sent for one authentication (start, then verify), recorded by
 * bench/count-queries.js (`trace-start` / `trace-stop`), so it cannot drift from the code.
 *
 * - The same texts, in the same order, with the same round trips: statements the service sent
 *   before the previous one on the same connection answered (BEGIN with the first statement, the
 *   last statement with COMMIT) go in one `\startpipeline` … `\endpipeline`. pgbench runs with
 *   `-M prepared`, as the service names its statements; its multi-statement BEGIN (simple protocol)
 *   becomes three statements in the same pipeline.
 * - The same parameters: each `$n` stays a parameter (a pgbench variable defined with `-D` to the
 *   value the service sent), so PostgreSQL infers the same types and caches the same generic plans.
 *   Two authentications are traced; a value that differs between them is per authentication:
 *   the user's id and name come from a user picked at random per transaction (copies of the seeded
 *   users with ids md5('twofold-bench-user-' || i), see `copyUsers`), every other fresh UUID (the
 *   authentication's id, its message's id) is md5 of a random number and a slot, and a text that
 *   contains one (an idempotency key) gets it replaced. Other values that differ (timestamps, code
 *   hashes, correlation ids) keep the first trace's value. A null is written `NULL::<type>`.
 * - The same role, RLS and tenant setting: pgbench connects as the app role to the bench database,
 *   and the transaction-local `set_config('app.tenant_id', …, true)` is the service's own statement.
 */
import { Client } from 'pg';
import { isUtility } from './pg-statements';

export interface TracedStatement {
  text: string;
  values: (string | null)[];
  prepared: boolean;
  connection: string;
  sentAt: number;
  answeredAt: number | null;
}

export interface TracedAuthentication {
  statements: TracedStatement[];
  userId: string;
  userName: string;
}

export interface HotPathScript {
  script: string;
  /** pgbench `-D name=value` definitions. */
  defines: Record<string, string>;
  /** Statements the service sent per authentication, and in how many round trips. */
  statements: number;
  roundTrips: number;
  /** Statements per run other than transaction control and settings (bench/pg-statements.ts isUtility). */
  dataStatements: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const PGBENCH_USER_PREFIX = 'twofold-bench-user-';
// pgbench variables are prefixed tf_, so no `:name` inside the service's SQL can be taken for one.
const userIdExpr = `md5('${PGBENCH_USER_PREFIX}' || :tf_user)::uuid`;
const userNameExpr = `('pgbench-' || :tf_user || '@bench.example')`;
const freshExpr = (slot: number) => `md5(:tf_run || '-${slot}')::uuid`;

/** The statement texts of a trace, for comparing two traces. */
export const shapeOf = (t: TracedStatement[]) => t.map((s) => `${s.values.length}:${s.text}`).join('\n');

/**
 * Groups a trace into round trips: a statement joins the previous one's round trip when it was
 * sent on the same connection before that one's answer was in.
 */
export function roundTrips(trace: TracedStatement[]): TracedStatement[][] {
  const groups: TracedStatement[][] = [];
  const last = new Map<string, { statement: TracedStatement; group: TracedStatement[] }>();
  for (const s of trace) {
    const prev = last.get(s.connection);
    const joins = prev && prev.statement.answeredAt !== null && s.sentAt < prev.statement.answeredAt;
    const group = joins ? prev.group : [];
    if (!joins) groups.push(group);
    group.push(s);
    last.set(s.connection, { statement: s, group });
  }
  return groups;
}

/** Each parameterised text's parameter types, as PostgreSQL infers them (PREPARE, as superuser). */
export async function parameterTypes(c: Client, texts: string[]): Promise<Map<string, string[]>> {
  const types = new Map<string, string[]>();
  for (const [i, text] of [...new Set(texts)].entries()) {
    const name = `twofold_bench_types_${i}`;
    await c.query(`PREPARE ${name} AS ${text}`);
    const { rows } = await c.query<{ types: string[] }>(
      'SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = $1',
      [name],
    );
    types.set(text, rows[0]?.types ?? []);
    await c.query(`DEALLOCATE ${name}`);
  }
  return types;
}

export function buildHotPathScript(
  a: TracedAuthentication,
  b: TracedAuthentication,
  types: Map<string, string[]>,
  users: number,
): HotPathScript {
  if (shapeOf(a.statements) !== shapeOf(b.statements))
    throw new Error('the two traced authentications sent different statements: cannot make a pgbench script');
  // Fresh UUIDs: values that differ between the two authentications, other than the user's id.
  const slots = new Map<string, number>();
  a.statements.forEach((s, i) =>
    s.values.forEach((v, k) => {
      if (v !== null && v !== b.statements[i].values[k] && UUID.test(v) && v !== a.userId && !slots.has(v))
        slots.set(v, slots.size + 1);
    }),
  );
  const defines: Record<string, string> = {};
  const byValue = new Map<string, string>();
  const constant = (v: string) => {
    let name = byValue.get(v);
    if (!name) {
      name = `tf_c${byValue.size + 1}`;
      byValue.set(v, name);
      defines[name] = v;
    }
    return `:${name}`;
  };
  const parameter = (s: TracedStatement, i: number, k: number): string => {
    const v = s.values[k];
    const type = types.get(s.text)?.[k] ?? 'unknown';
    const cast = (expr: string) => (type === 'unknown' ? expr : `(${expr})::${type}`);
    if (v === null) return cast('NULL');
    if (v === b.statements[i].values[k]) return constant(v);
    if (v === a.userId) return cast(userIdExpr);
    if (v === a.userName) return cast(userNameExpr);
    const slot = slots.get(v);
    if (slot !== undefined) return cast(freshExpr(slot));
    let expr = constant(v);
    let replaced = false;
    for (const [uuid, n] of slots)
      if (v.includes(uuid)) {
        expr = `replace(${expr}, '${uuid}', ${freshExpr(n)}::text)`;
        replaced = true;
      }
    if (v.includes(a.userId)) {
      expr = `replace(${expr}, '${a.userId}', ${userIdExpr}::text)`;
      replaced = true;
    }
    return replaced ? cast(expr) : constant(v);
  };

  const index = new Map(a.statements.map((s, i) => [s, i]));
  const trips = roundTrips(a.statements);
  const lines = [
    '-- Generated by bench/authentications.bench.ts from the statements the service sent for one',
    '-- authentication (start, then verify): see bench/hot-path-pgbench.ts. Run with -M prepared.',
    `\\set tf_user random(0, ${users - 1})`,
    '\\set tf_run random(1, 1000000000000000)',
  ];
  let dataStatements = 0;
  for (const trip of trips) {
    const commands: string[] = [];
    for (const s of trip) {
      const i = index.get(s) as number;
      if (s.values.length === 0) {
        // A simple-protocol text may hold several statements (BEGIN; SET LOCAL …; SELECT set_config(…)).
        for (const part of s.text.split(';').map((p) => p.trim())) {
          if (!part) continue;
          if (!isUtility(part)) dataStatements++;
          commands.push(`${part};`);
        }
      } else {
        if (!isUtility(s.text)) dataStatements++;
        commands.push(`${s.text.replace(/\$(\d+)\b/g, (_, n: string) => parameter(s, i, Number(n) - 1)).trim()};`);
      }
    }
    if (commands.length > 1) lines.push('\\startpipeline', ...commands, '\\endpipeline');
    else lines.push(...commands);
  }
  return {
    script: `${lines.join('\n')}\n`,
    defines,
    statements: a.statements.length,
    roundTrips: trips.length,
    dataStatements,
  };
}

/**
 * Copies of the tenant's users (and their methods) for the pgbench run, as the owner: ids
 * md5('twofold-bench-user-' || i), names 'pgbench-<i>@bench.example', so that the script picks a
 * user with a number and every transaction does not lock the same user row.
 */
export async function copyUsers(c: Client, tenantId: string, count: number): Promise<number> {
  await c.query('BEGIN');
  try {
    await c.query(
      `CREATE TEMP TABLE twofold_bench_users ON COMMIT DROP AS
         SELECT id AS old_id, md5('${PGBENCH_USER_PREFIX}' || (n - 1))::uuid AS new_id,
                'pgbench-' || (n - 1) || '@bench.example' AS new_name
           FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM users WHERE tenant_id = $1) u
          WHERE n <= $2`,
      [tenantId, count],
    );
    const { rowCount } = await c.query(
      `INSERT INTO users SELECT (jsonb_populate_record(NULL::users,
           to_jsonb(u) || jsonb_build_object('id', m.new_id, 'user_name', m.new_name))).*
         FROM users u JOIN twofold_bench_users m ON m.old_id = u.id WHERE u.tenant_id = $1`,
      [tenantId],
    );
    await c.query(
      `INSERT INTO user_methods SELECT (jsonb_populate_record(NULL::user_methods,
           to_jsonb(x) || jsonb_build_object('id', gen_random_uuid(), 'user_id', m.new_id))).*
         FROM user_methods x JOIN twofold_bench_users m ON m.old_id = x.user_id WHERE x.tenant_id = $1`,
      [tenantId],
    );
    await c.query('COMMIT');
    return rowCount ?? 0;
  } catch (error) {
    await c.query('ROLLBACK');
    throw error;
  }
}
