import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { TappedStatement } from '@twofold/platform/db';

/** A node of a JSON plan, as EXPLAIN and auto_explain print it (the fields read here). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  'Join Filter'?: string;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Join Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** One executed statement's plan, with the figures the plan test bounds. */
export interface ExecutedPlan {
  queryText: string;
  /** Shared buffers touched (hit + read), summed over the nodes (each node's own share). */
  buffers: number;
  /** Rows that a node of this plan read and threw away, per relation. */
  removed: { relation: string; rows: number; node: string }[];
  /** Monthly partitions the plan read (authentication_records, usage_ledger): a probe of each. */
  partitions: number;
  /** The scans: `Seq Scan on users`, `Index Scan using users_pkey on users (tenant_id = $1 ...)`. */
  scans: string[];
  plan: PlanNode;
}

/** The transaction's own statements, planned but not part of what is inspected. */
const MECHANICS = /^\s*(SELECT set_config\('app\.tenant_id'|ROLLBACK|BEGIN)/;

/** Monthly partitions are named `<table>_pYYYYMM`, and each table has a `<table>_default`. */
const PARTITION = /_(p\d{6}|default)$/;

const blocks = (n: PlanNode): number => (n['Shared Hit Blocks'] ?? 0) + (n['Shared Read Blocks'] ?? 0);

/**
 * A node's inclusive counters contain its children's, except for a data-modifying CTE that nothing
 * reads (PostgreSQL runs it after the main plan): each node's own share, never below zero, summed.
 */
function ownBuffers(n: PlanNode): number {
  const children = n.Plans ?? [];
  const own = Math.max(0, blocks(n) - children.reduce((sum, c) => sum + blocks(c), 0));
  return own + children.reduce((sum, c) => sum + ownBuffers(c), 0);
}

function walk(n: PlanNode, visit: (n: PlanNode) => void): void {
  visit(n);
  for (const c of n.Plans ?? []) walk(c, visit);
}

/** The relation a filtering node reads: its own, or for a join, the scans below it. */
function relationsUnder(n: PlanNode): string[] {
  const names: string[] = [];
  walk(n, (c) => {
    if (c['Relation Name']) names.push(c['Relation Name']);
  });
  return names;
}

export function summarise(queryText: string, plan: PlanNode): ExecutedPlan {
  const removed: ExecutedPlan['removed'] = [];
  const scans: string[] = [];
  const partitions = new Set<string>();
  walk(plan, (n) => {
    if (n['Relation Name'] && PARTITION.test(n['Relation Name'])) partitions.add(n['Relation Name']);
    const loops = n['Actual Loops'] ?? 1;
    const rows =
      ((n['Rows Removed by Filter'] ?? 0) +
        (n['Rows Removed by Join Filter'] ?? 0) +
        (n['Rows Removed by Index Recheck'] ?? 0)) *
      loops;
    if (rows > 0) {
      removed.push({
        relation: n['Relation Name'] ?? relationsUnder(n).join('+'),
        rows: Math.round(rows),
        node: n['Node Type'],
      });
    }
    if (n['Relation Name'] && /Scan/.test(n['Node Type'])) {
      const using = n['Index Name'] ? ` using ${n['Index Name']}` : '';
      const cond = n['Index Cond'] ? ` (${n['Index Cond']})` : '';
      scans.push(`${n['Node Type']}${using} on ${n['Relation Name']}${cond}`);
    }
  });
  return { queryText, buffers: ownBuffers(plan), removed, partitions: partitions.size, scans, plan };
}

/**
 * Runs statements exactly as the services send them (named prepared statements, the same bound
 * values, the app role, RLS with the tenant set) and reads their executed plans from auto_explain,
 * including the statements inside PL/pgSQL lookups. Connects as the owner only to load auto_explain,
 * then becomes the app role. Every statement runs in a transaction that is rolled back.
 */
export class PlanInspector {
  private notices: string[] = [];

  private constructor(private readonly client: Client) {
    client.on('notice', (n: { message?: string }) => this.notices.push(n.message ?? ''));
  }

  static async open(
    adminUrl: string,
    appRole: string,
    planCacheMode: 'force_generic_plan' | 'auto' = 'force_generic_plan',
  ): Promise<PlanInspector> {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`LOAD 'auto_explain'`);
    await client.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;
      SET auto_explain.log_buffers = on; SET auto_explain.log_timing = off; SET auto_explain.log_format = json;
      SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice;
      SET plan_cache_mode = ${planCacheMode}; SET jit = off`);
    await client.query(`SET ROLE ${client.escapeIdentifier(appRole)}`);
    return new PlanInspector(client);
  }

  /**
   * Executes `statement` twice, as it was sent (a named prepared statement, or unnamed as Prisma
   * sends its own), in the tenant's scope or outside any tenant, and returns the plans of the second
   * run, when the connection's catalogue caches are warm as in a running service: the statements
   * nested in the functions and triggers it ran, then the statement itself. A prepared statement runs
   * under the inspector's plan_cache_mode unless its transaction set one (`planCacheMode`); an unnamed
   * one is planned for its values, as PostgreSQL does for every unnamed statement it is sent.
   */
  async explain(
    statement: TappedStatement,
    tenantId: string | null,
    planCacheMode: string | null = null,
  ): Promise<ExecutedPlan[]> {
    await this.once(statement, tenantId, planCacheMode);
    return this.once(statement, tenantId, planCacheMode);
  }

  private async once(
    statement: TappedStatement,
    tenantId: string | null,
    planCacheMode: string | null,
  ): Promise<ExecutedPlan[]> {
    await this.client.query('BEGIN');
    try {
      const mode = statement.prepared ? planCacheMode : 'auto';
      if (mode && /^\w+$/.test(mode)) await this.client.query(`SET LOCAL plan_cache_mode = ${mode}`);
      if (tenantId) await this.client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      this.notices = [];
      const name = statement.prepared
        ? `hp_${createHash('sha256').update(statement.text).digest('base64url').slice(0, 24)}`
        : undefined;
      await this.client.query({ name, text: statement.text, values: statement.values as unknown[] });
    } finally {
      // A SELECT's portal (and so its plan's figures) is closed only when the transaction ends.
      await this.client.query('ROLLBACK');
    }
    return this.notices.flatMap((message) => {
      const parsed = JSON.parse(message.slice(message.indexOf('{'))) as { 'Query Text': string; Plan: PlanNode };
      return MECHANICS.test(parsed['Query Text']) ? [] : [summarise(parsed['Query Text'], parsed.Plan)];
    });
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
