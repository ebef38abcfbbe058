import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { createHash } from 'node:crypto';
import { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
import { APP_CONFIG, BaseConfig } from '@twofold/platform/config';
import { Prisma, PrismaClient } from './generated/prisma/client';
import { mapDbError } from './db-errors';
import { SqlStatement, withStatements } from './sql-fragment';

/** A transaction bound to one tenant: RLS sees `app.tenant_id` and every query filters on `tenantId`. */
export interface TenantScope {
  readonly tenantId: string;
  readonly tx: Prisma.TransactionClient;
}

/**
 * The same tenant transaction on plain `pg`, for hot paths where Prisma's per-statement and
 * per-transaction cost dominates (docs/decisions/0016). Queries are parameterised SQL; RLS and the
 * explicit `tenant_id` filter apply exactly as in `TenantScope`.
 */
export interface SqlScope {
  readonly tenantId: string;
  query<R>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /**
   * Declares that the next statement is the transaction's last: COMMIT goes out in the same write
   * and that statement's rows are returned only once COMMIT succeeded. A statement after it throws.
   * Called by the repository that writes last (its method takes `{ last: true }`), not by use cases.
   */
  commitWithNext(): void;
  /**
   * A write whose rows nobody reads (another domain's row of the same change: a usage row, a queued
   * message), sent inside the next `query` as a data-modifying CTE (`withStatements`): one round
   * trip for rows of several domains, each authored by its own repository (docs/decisions/0016).
   * A transaction that ends with a write still attached is a programming error and rolls back.
   */
  attach(statement: SqlStatement): void;
  /**
   * Runs `effect` once the transaction committed and its connection went back to the pool (jobs to
   * Redis, never while a row lock is held); never if it rolled back. An effect's failure is logged
   * and does not fail the call: the effect must have a durable fallback (e.g. the delivery outbox).
   */
  afterCommit(effect: () => Promise<void>): void;
}

/** Writes attached to a scope until its next statement carries them. */
class AttachedWrites {
  private pending: SqlStatement[] = [];

  add(statement: SqlStatement): void {
    this.pending.push(statement);
  }

  /** The statement to send: `text` alone, or `text` carrying every attached write. */
  carry(text: string, values: readonly unknown[] = []): SqlStatement {
    if (this.pending.length === 0) return { text, values };
    const carried = withStatements({ text, values }, this.pending);
    this.pending = [];
    return carried;
  }

  assertEmpty(): void {
    if (this.pending.length > 0) throw new Error('inTenantSql: a write was attached but no statement carried it');
  }
}

/**
 * The `SqlScope` of a Prisma tenant transaction: a use case that runs in `inTenant` calls a plain-SQL
 * repository in the same transaction (e.g. a user's deletion closes their pending authentications
 * first). Statements go unnamed, as Prisma's do; `commitWithNext` has nothing to do, the transaction
 * commits when `inTenant`'s work returns.
 */
export function sqlScopeOf(scope: TenantScope): SqlScope {
  const attached = new AttachedWrites();
  return {
    tenantId: scope.tenantId,
    query: <R>(text: string, values: readonly unknown[] = []) => {
      const carried = attached.carry(text, values);
      return scope.tx.$queryRawUnsafe<R[]>(carried.text, ...carried.values);
    },
    commitWithNext: () => undefined,
    attach: (statement) => attached.add(statement),
    // Prisma's interactive transaction commits out of sight: effects belong to inTenantSql use cases.
    afterCommit: () => {
      throw new Error('afterCommit: only in inTenantSql');
    },
  };
}

/**
 * How `inTenantSql`'s statements are planned (docs/decisions/0017). By default a prepared statement
 * gets PostgreSQL's generic plan after a few runs: right for the per-request hot path, whose
 * statements are written so that only their key index fits. A batch statement that names its rows
 * by an array (`id = ANY($2)`, a join on `unnest`) asks for `customPlans`: each run is planned for
 * its real array and the table's current size, once per batch. A generic plan made while the table
 * was young reads the tenant's whole table for it. (Prisma's statements go unnamed: always custom.)
 */
export interface SqlTransactionOptions {
  customPlans?: boolean;
}

const planSetting = (options: SqlTransactionOptions): string =>
  options.customPlans ? 'SET LOCAL plan_cache_mode = force_custom_plan; ' : '';

/** Per statement in `inTenantSql`, the same bound as an interactive Prisma transaction's 15 s. */
const SQL_STATEMENT_TIMEOUT_MS = 15_000;

/**
 * Statements sent through `inTenantSql` and `query` are named prepared statements: PostgreSQL parses
 * each text once per connection and, after a few executions, reuses a generic plan. Unnamed, the
 * hot path's larger statements (the authentication's context read, its locking read) spent more
 * time in parse and plan than in execution. A bounded number of distinct texts get a name, so a
 * caller that builds texts dynamically cannot make every connection hold an unbounded set; texts
 * past the bound run unnamed, exactly as before.
 */
const MAX_PREPARED_TEXTS = 256;
const preparedNames = new Map<string, string>();

/** The name of `text`'s prepared statement (a digest of the text, so one name never means two texts). */
export function preparedName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED_TEXTS) {
    name = `tf_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    preparedNames.set(text, name);
  }
  return name;
}

function statement(text: string, values?: readonly unknown[]): QueryConfig {
  return { name: preparedName(text), text, values: values as unknown[] | undefined };
}

/** A statement as it went to PostgreSQL: its text, the values bound to it, and whether it was named. */
export interface TappedStatement {
  text: string;
  values: readonly unknown[];
  /** Sent as a named prepared statement (its plan may be cached); Prisma's go unnamed. */
  prepared: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our ids are PostgreSQL UUIDs: anything else names no row (and must not reach a `::uuid` cast). */
export const isUuid = (value: string): boolean => UUID.test(value);

@Injectable()
export class DbService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DbService.name);
  /** Platform-level access (health, security-definer lookups). Tenant data goes through `inTenant`. */
  readonly client: PrismaClient;
  /** One pool for both Prisma and `inTenantSql`, so DATABASE_POOL_SIZE bounds the connections. */
  private readonly pool: Pool;
  private readonly taps = new Set<(statement: TappedStatement) => void>();
  private readonly tapped = new WeakSet<PoolClient>();

  constructor(@Inject(APP_CONFIG) config: BaseConfig) {
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      application_name: 'twofold',
      // Statements go out without waiting for the previous answer (answers still come back in
      // order): `inTenantSql` sends BEGIN and the transaction's first statement in one write.
      pipeline: true,
    });
    // An idle connection that breaks (server restart) must not crash the process; the next checkout reconnects.
    this.pool.on('error', (error) => this.logger.warn({ err: error.message }, 'idle database connection lost'));
    this.client = new PrismaClient({ adapter: new PrismaPg(this.pool) });
  }

  async onModuleInit(): Promise<void> {
    await this.client.$connect();
  }

  /**
   * The pool closes in the last shutdown phase: requests still in flight and jobs that workers
   * finish in `beforeApplicationShutdown` keep their database until then.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    await this.client.$disconnect();
    if (!this.pool.ended) await this.pool.end();
    this.logger.log('database pool closed');
  }

  /**
   * Runs `work` in one transaction with `app.tenant_id` set transaction-locally (set_config(..., true):
   * a session-level setting leaked to the next user of the pooled connection, see STACK.md).
   * Errors from the database are mapped to domain errors here, once.
   */
  async inTenant<T>(
    tenantId: string,
    work: (scope: TenantScope) => Promise<T>,
    /** Bulk work (10,000-row imports) may take longer than a request's default 15 s. */
    options: { timeoutMs?: number } = {},
  ): Promise<T> {
    if (!isUuid(tenantId)) throw new Error('inTenant: tenantId must be a UUID');
    try {
      return await this.client.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT set_config('app.tenant_id', ${tenantId}, true)`;
          return work({ tenantId, tx });
        },
        { maxWait: 5_000, timeout: options.timeoutMs ?? 15_000 },
      );
    } catch (error) {
      throw mapDbError(error);
    }
  }

  /**
   * `inTenant` on plain `pg`: BEGIN, a statement timeout and the transaction-local tenant setting
   * (simple protocol; the tenant id is a validated UUID, so inlining it is safe) go out in the same
   * write as `work`'s first statement (the connection is corked until the next tick and pipelined),
   * so a transaction costs no round trip of its own at the start. No statement's rows reach `work`
   * unless BEGIN succeeded. Then `work`'s parameterised statements, then COMMIT. Any error rolls
   * back and is mapped like `inTenant`'s; a statement that runs past the timeout is cancelled (503,
   * like an expired Prisma transaction) instead of holding its connection.
   */
  async inTenantSql<T>(
    tenantId: string,
    work: (scope: SqlScope) => Promise<T>,
    options: SqlTransactionOptions = {},
  ): Promise<T> {
    if (!isUuid(tenantId)) throw new Error('inTenantSql: tenantId must be a UUID');
    const connection = await this.pool.connect();
    let broken = false;
    const stream = connection.connection.stream;
    stream.cork();
    process.nextTick(() => stream.uncork());
    const begun = connection.query(
      `BEGIN; SET LOCAL statement_timeout = ${SQL_STATEMENT_TIMEOUT_MS}; ${planSetting(options)}` +
        `SELECT set_config('app.tenant_id', '${tenantId.toLowerCase()}', true)`,
    );
    begun.catch(() => undefined); // awaited by every statement and below; never unhandled meanwhile
    const scope = new PipelinedScope(tenantId, connection, begun);
    let result: T;
    try {
      result = await work(scope);
      scope.assertNothingAttached();
      await begun;
      await (scope.committed ?? connection.query('COMMIT'));
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw mapDbError(error);
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
      connection.release(broken);
    }
    for (const effect of scope.effects) {
      await effect().catch((error: unknown) =>
        this.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          'an after-commit effect failed',
        ),
      );
    }
    return result;
  }

  /**
   * Acts on another tenant inside the caller's transaction (one atomic change across two tenants,
   * e.g. R8 re-linking with that tenant's consent). RLS admits exactly that tenant's rows while
   * `work` runs; the caller must already hold the other tenant's authorisation.
   */
  async withinTenant<T>(
    scope: TenantScope,
    otherTenantId: string,
    work: (other: TenantScope) => Promise<T>,
  ): Promise<T> {
    if (otherTenantId === scope.tenantId) return work(scope);
    if (!isUuid(otherTenantId)) throw new Error('withinTenant: tenantId must be a UUID');
    await scope.tx.$executeRaw`SELECT set_config('app.tenant_id', ${otherTenantId}, true)`;
    const result = await work({ tenantId: otherTenantId, tx: scope.tx });
    // On failure the whole transaction rolls back, so there is nothing to restore then.
    await scope.tx.$executeRaw`SELECT set_config('app.tenant_id', ${scope.tenantId}, true)`;
    return result;
  }

  /**
   * One platform-level statement on plain `pg`, outside any tenant (RLS admits no tenant rows):
   * for the SECURITY DEFINER lookups on every request, e.g. a credential's tenant.
   */
  async query<R>(text: string, values?: readonly unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query(statement(text, values))).rows as R[];
    } catch (error) {
      throw mapDbError(error);
    }
  }

  /**
   * Calls `listener` with every statement this service sends from now on, whoever sends it (Prisma,
   * `inTenantSql`, `query`): the hot-path statement catalogue (libs/hot-path) records what each use
   * case really sends, so its plans can be checked and its SQL shown in review. Tests and benchmarks
   * only; nothing is installed until the first tap. Returns the function that removes the tap.
   */
  tapStatements(listener: (statement: TappedStatement) => void): () => void {
    if (this.taps.size === 0 && this.pool.listenerCount('acquire') === 0) {
      this.pool.on('acquire', (client) => this.tapClient(client));
    }
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  private tapClient(client: PoolClient): void {
    if (this.tapped.has(client)) return;
    this.tapped.add(client);
    const send = client.query.bind(client) as (...args: unknown[]) => unknown;
    const taps = this.taps;
    (client as { query: unknown }).query = (...args: unknown[]): unknown => {
      const [first, second] = args;
      const config: Partial<QueryConfig> =
        typeof first === 'string' ? { text: first, values: second as unknown[] } : (first as Partial<QueryConfig>);
      if (taps.size > 0 && typeof config?.text === 'string') {
        const values = Array.isArray(config.values) ? (config.values as unknown[]) : [];
        for (const tap of taps) tap({ text: config.text, values, prepared: Boolean(config.name) });
      }
      return send(...args);
    };
  }

  async ping(): Promise<void> {
    await this.client.$queryRaw`SELECT 1`;
  }
}

/** `inTenantSql`'s scope: statements pipelined behind BEGIN, and optionally COMMIT behind the last. */
class PipelinedScope implements SqlScope {
  private commitNext = false;
  private readonly attached = new AttachedWrites();
  /** Set once COMMIT was sent with the last statement. */
  committed: Promise<unknown> | null = null;
  readonly effects: (() => Promise<void>)[] = [];

  constructor(
    readonly tenantId: string,
    private readonly connection: PoolClient,
    private readonly begun: Promise<unknown>,
  ) {}

  commitWithNext(): void {
    this.commitNext = true;
  }

  attach(write: SqlStatement): void {
    this.attached.add(write);
  }

  afterCommit(effect: () => Promise<void>): void {
    this.effects.push(effect);
  }

  assertNothingAttached(): void {
    this.attached.assertEmpty();
  }

  async query<R>(text: string, values?: readonly unknown[]): Promise<R[]> {
    if (this.committed) throw new Error('inTenantSql: a statement after the one sent with COMMIT');
    const carried = this.attached.carry(text, values);
    const stream = this.connection.connection.stream;
    stream.cork();
    let pending: Promise<QueryResult>;
    try {
      pending = this.connection.query(statement(carried.text, carried.values));
      if (this.commitNext) this.committed = this.connection.query('COMMIT');
    } finally {
      stream.uncork();
    }
    // If BEGIN failed, its error is the one reported. If this statement fails, PostgreSQL answers
    // the COMMIT behind it with a rollback, and this statement's error is the one reported.
    pending.catch(() => undefined);
    this.committed?.catch(() => undefined);
    // Answers arrive in order: BEGIN's is in before this statement's, so this costs no wait.
    await this.begun;
    const rows = (await pending).rows as R[];
    if (this.committed) await this.committed;
    return rows;
  }
}
