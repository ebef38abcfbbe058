import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import QueryStream from 'pg-query-stream';
import { PassThrough, Readable, Transform } from 'node:stream';
import { APP_CONFIG, BaseConfig } from '@twofold/platform/config';
import { DomainError } from '@twofold/platform/errors';

export interface AuthenticationReportFilter {
  from: Date;
  to: Date;
  userName?: string;
  result?: 'success' | 'deny';
  denyReason?: string;
  method?: string;
  serverId?: string;
  clientIp?: string;
  providerId?: string;
  /** Keyset: rows after (time, id). */
  after?: { at: Date; id: string };
}

/** R26 columns of the authentication report, in export order. */
export const AUTHENTICATION_COLUMNS = [
  'id',
  'time',
  'authenticationId',
  'userName',
  'firstName',
  'lastName',
  'email',
  'method',
  'result',
  'denyReason',
  'phoneNumber',
  'deviceToken',
  'clientIp',
  'serverName',
  'serverIp',
  'providerId',
  'deliveryStatus',
  'dataRegion',
  'correlationId',
] as const;

export const USAGE_COLUMNS = [
  'period',
  'providerId',
  'authentications',
  'sms',
  'voice',
  'app_notification',
  'app_code',
  'oath_token',
  'app_password',
  'success',
  'deny',
  'billableUsers',
  'licensedUsers',
] as const;

type Query = { text: string; values: unknown[] };

function authenticationQuery(tenantId: string, region: string, f: AuthenticationReportFilter, limit?: number): Query {
  const values: unknown[] = [tenantId, region, f.from, f.to];
  const where = [
    'r.tenant_id = $1::uuid',
    'r.data_region = $2::data_region',
    'r.occurred_at >= $3',
    'r.occurred_at < $4',
  ];
  const add = (sql: string, v: unknown) => {
    values.push(v);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (f.userName) add('r.unique_id = ?', f.userName);
  if (f.result) add('r.result = ?::authentication_result', f.result);
  if (f.denyReason) add('r.deny_reason = ?', f.denyReason);
  if (f.method) add('r.method = ?::auth_method', f.method);
  if (f.serverId) add('r.server_id = ?::uuid', f.serverId);
  if (f.clientIp) add('r.client_ip = ?', f.clientIp);
  if (f.providerId) add('r.provider_id = ?::uuid', f.providerId);
  if (f.after) {
    values.push(f.after.at, f.after.id);
    where.push(`(r.occurred_at, r.id) > ($${values.length - 1}, $${values.length}::uuid)`);
  }
  const text = `SELECT r.id::text AS "id", r.occurred_at AS "time", r.authentication_id::text AS "authenticationId",
      r.unique_id AS "userName", r.first_name AS "firstName", r.last_name AS "lastName", r.email AS "email",
      r.method::text AS "method", r.result::text AS "result", r.deny_reason AS "denyReason", r.phone AS "phoneNumber",
      r.device_token AS "deviceToken", r.client_ip AS "clientIp", r.server_name AS "serverName", r.server_ip AS "serverIp",
      r.provider_id::text AS "providerId", r.delivery_status::text AS "deliveryStatus", r.data_region::text AS "dataRegion",
      r.correlation_id AS "correlationId"
    FROM authentication_records r WHERE ${where.join(' AND ')}
    ORDER BY r.occurred_at, r.id${limit ? ` LIMIT ${Math.floor(limit)}` : ''}`;
  return { text, values };
}

function usageQuery(tenantId: string, granularity: 'day' | 'month', from: Date, to: Date): Query {
  // Authentications count from the usage ledger (what billing reports, R2); methods and results
  // from the records; billable users are billing's user-month rows; licensed users the seats
  // assigned in pools in force at the end of the period (or now).
  const text = `
    WITH periods AS (
      SELECT p AS period_start, LEAST(p + ('1 ' || $2)::interval, $4::timestamptz) AS period_end
        FROM generate_series(date_trunc($2, $3::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', $4::timestamptz - interval '1 microsecond', ('1 ' || $2)::interval) p
    ),
    auths AS (
      SELECT provider_id, date_trunc($2, occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS period_start, count(*) AS n
        FROM usage_ledger WHERE tenant_id = $1::uuid AND kind = 'authentication' AND occurred_at >= $3 AND occurred_at < $4
         -- A row's month starts at or before it occurred: the same rows, from the range's partitions only.
         AND period_start >= date_trunc('month', $3::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
         AND period_start < $4
       GROUP BY 1, 2
    ),
    recs AS (
      SELECT provider_id, date_trunc($2, occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS period_start,
             count(*) FILTER (WHERE method = 'sms') AS sms, count(*) FILTER (WHERE method = 'voice') AS voice,
             count(*) FILTER (WHERE method = 'app_notification') AS app_notification,
             count(*) FILTER (WHERE method = 'app_code') AS app_code, count(*) FILTER (WHERE method = 'oath_token') AS oath_token,
             count(*) FILTER (WHERE method = 'app_password') AS app_password,
             count(*) FILTER (WHERE result = 'success') AS success, count(*) FILTER (WHERE result = 'deny') AS deny
        FROM authentication_records WHERE tenant_id = $1::uuid AND occurred_at >= $3 AND occurred_at < $4
       GROUP BY 1, 2
    ),
    billable AS (
      SELECT provider_id, period_start, sum(quantity) AS n FROM usage_ledger
       WHERE tenant_id = $1::uuid AND kind = 'user_month' AND period_start >= date_trunc('month', $3::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND period_start < $4
       GROUP BY 1, 2
    ),
    keys AS (
      SELECT provider_id, period_start FROM auths UNION SELECT provider_id, period_start FROM recs
      UNION SELECT provider_id, period_start FROM billable WHERE $2 = 'month'
    )
    SELECT to_char(k.period_start AT TIME ZONE 'UTC', CASE WHEN $2 = 'day' THEN 'YYYY-MM-DD' ELSE 'YYYY-MM' END) AS "period",
           k.provider_id::text AS "providerId",
           COALESCE(a.n, 0)::int AS "authentications",
           COALESCE(r.sms, 0)::int AS "sms", COALESCE(r.voice, 0)::int AS "voice",
           COALESCE(r.app_notification, 0)::int AS "app_notification", COALESCE(r.app_code, 0)::int AS "app_code",
           COALESCE(r.oath_token, 0)::int AS "oath_token", COALESCE(r.app_password, 0)::int AS "app_password",
           COALESCE(r.success, 0)::int AS "success", COALESCE(r.deny, 0)::int AS "deny",
           CASE WHEN $2 = 'month' THEN COALESCE(b.n, 0)::int END AS "billableUsers",
           (SELECT count(DISTINCT la.user_id)::int FROM license_assignments la JOIN license_pools lp
               ON lp.tenant_id = la.tenant_id AND lp.id = la.pool_id
             WHERE la.tenant_id = $1::uuid AND lp.term_start <= LEAST(pe.period_end, now()) AND lp.term_end > LEAST(pe.period_end, now()) - interval '1 microsecond'
           ) AS "licensedUsers"
      FROM keys k
      JOIN periods pe ON pe.period_start = k.period_start
      LEFT JOIN auths a ON a.provider_id = k.provider_id AND a.period_start = k.period_start
      LEFT JOIN recs r ON r.provider_id = k.provider_id AND r.period_start = k.period_start
      LEFT JOIN billable b ON b.provider_id = k.provider_id AND b.period_start = k.period_start
     ORDER BY 1, 2`;
  return { text, values: [tenantId, granularity, from, to] };
}

/**
 * The authentication report as CSV made by PostgreSQL itself (COPY … TO STDOUT), as the app role
 * under RLS: text columns get the spreadsheet-formula guard in SQL (a leading apostrophe before
 * = + - @ tab CR, same rule as csvCell), times are ISO 8601 UTC, and the header row names the same
 * columns in the same order as the row-by-row writer.
 */
function authenticationCsvCopy(tenantId: string, region: string, f: AuthenticationReportFilter): Query {
  const q = authenticationQuery(tenantId, region, f);
  const guard = (col: string) => `CASE WHEN ${col} ~ '^[=+\\-@\t\r]' THEN '''' || ${col} ELSE ${col} END`;
  const cols = AUTHENTICATION_COLUMNS.map((c) =>
    c === 'time'
      ? `to_char(x."time" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "time"`
      : `${guard(`x."${c}"`)} AS "${c}"`,
  );
  return { text: `SELECT ${cols.join(', ')} FROM (${q.text}) x`, values: q.values };
}

/** PostgreSQL writes LF line ends; RFC 4180 wants CRLF. Works on bytes, so no character is split. */
function crlf(): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      let lfs = 0;
      for (const byte of chunk) if (byte === 0x0a) lfs += 1;
      if (lfs === 0) return callback(null, chunk);
      const out = Buffer.allocUnsafe(chunk.length + lfs);
      let j = 0;
      for (const byte of chunk) {
        if (byte === 0x0a) out[j++] = 0x0d;
        out[j++] = byte;
      }
      callback(null, out);
    },
  });
}

/** COPY takes no bind parameters: values are inlined as quoted literals (only ours: uuids, dates, enums, text). */
function inline(query: Query): string {
  return query.text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = query.values[Number(n) - 1];
    if (v instanceof Date) return `'${v.toISOString()}'`;
    return `'${String(v).replace(/'/g, "''")}'`;
  });
}

/**
 * How long and how much one report read may hold of the report pool (issue 15 item 6,
 * docs/decisions/0021). The HTTP service and the export worker each provide their own.
 */
export interface ReportReadLimits {
  /** Waiting for a free connection; then 503 `reporting_unavailable`. */
  connectTimeoutMs: number;
  /** PostgreSQL statement_timeout: a COPY blocked on a client that does not read ends here. */
  statementTimeoutMs: number;
  /** PostgreSQL idle_in_transaction_session_timeout: a cursor whose reader stalled ends here. */
  idleInTransactionTimeoutMs: number;
  /** A whole read (however slowly its client takes rows) holds its connection at most this long. */
  maxReadMs: number;
  /** Report connections one tenant may hold at once in this process (null: no cap; the worker's jobs are capped per tenant instead). */
  connectionsPerTenant: number | null;
}

export const REPORT_READ_LIMITS = Symbol('REPORT_READ_LIMITS');

export const ReportReadErrors = {
  busy: (limit: number) =>
    new DomainError(
      'report_busy',
      'rate_limited',
      `At most ${limit} report download(s) of a tenant run at once; wait for the running one to finish.`,
      { retryAfterSeconds: 5 },
    ),
  unavailable: () =>
    new DomainError('reporting_unavailable', 'unavailable', 'The report database is busy; try again shortly.', {
      retryAfterSeconds: 5,
    }),
};

/** One connection of the report pool, held by one read of one tenant; released once, by whichever comes first. */
class Lease {
  private released = false;
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    readonly client: PoolClient,
    maxReadMs: number,
    private readonly onRelease: () => void,
  ) {
    // A read that outlives its bound (a slow reader, a stream never consumed) loses its connection:
    // the client is destroyed, which ends whatever runs on it.
    this.watchdog = setTimeout(() => this.release(new Error('report read exceeded its time bound')), maxReadMs);
    this.watchdog.unref();
  }

  release(broken?: Error | boolean): void {
    if (this.released) return;
    this.released = true;
    clearTimeout(this.watchdog);
    this.client.release(broken);
    this.onRelease();
  }

  get expired(): boolean {
    return this.released;
  }
}

/**
 * Report rows straight from PostgreSQL through a server-side cursor (pg-query-stream): memory stays
 * flat whatever the size, and stopping the consumer (a cancelled download) closes the cursor and
 * ends the transaction. Each read runs as the app role inside one READ ONLY transaction with the
 * tenant set, so row-level security applies exactly as for the API.
 *
 * Issue 15 item 6: the connection is taken before anything is answered (a busy or broken database
 * is a 503 with a code, never an unhandled rejection or a stream that never ends); a tenant holds at
 * most `connectionsPerTenant` of them; and a read holds its connection for a bounded time whatever
 * its client does (statement and idle-in-transaction timeouts, and `maxReadMs` overall).
 */
@Injectable()
export class ReportSource implements OnApplicationShutdown {
  private readonly logger = new Logger(ReportSource.name);
  private readonly pool: Pool;
  private readonly perTenant = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) config: BaseConfig,
    @Inject(REPORT_READ_LIMITS) private readonly limits: ReportReadLimits,
  ) {
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      application_name: 'twofold-reporting',
      connectionTimeoutMillis: limits.connectTimeoutMs,
      statement_timeout: limits.statementTimeoutMs,
      idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
    });
    // A connection the server ended (a timeout above, a restart) must not crash the process.
    this.pool.on('error', (error) => this.logger.warn({ err: error.message }, 'report connection lost'));
  }

  // Last shutdown phase, like DbService: exports finishing in beforeApplicationShutdown still read.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  /** Rows of the authentication report; the connection is held once this resolves. */
  async authentications(
    tenantId: string,
    region: string,
    filter: AuthenticationReportFilter,
    limit?: number,
  ): Promise<AsyncIterableIterator<Record<string, unknown>>> {
    return this.rows(tenantId, authenticationQuery(tenantId, region, filter, limit));
  }

  /**
   * The authentication report as a CSV byte stream from COPY (the fast path for CSV downloads and
   * exports). Destroying the returned stream (a cancelled download) drops the connection, which
   * ends the COPY on the server.
   */
  async authenticationsCsv(tenantId: string, region: string, filter: AuthenticationReportFilter): Promise<Readable> {
    const lease = await this.begin(tenantId);
    const out = new PassThrough();
    void (async () => {
      let broken = false;
      try {
        // inline() doubles quotes and relies on backslashes being literal.
        await lease.client.query('SET LOCAL standard_conforming_strings = on');
        const sql = inline(authenticationCsvCopy(tenantId, region, filter));
        const copy = lease.client.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT csv, HEADER true)`));
        await new Promise<void>((resolve, reject) => {
          out.once('close', () => {
            if (!out.writableFinished) {
              broken = true;
              copy.destroy();
              resolve();
            }
          });
          copy.once('error', reject);
          copy.once('end', resolve);
          copy.pipe(crlf()).pipe(out);
        });
        if (!broken) await lease.client.query('COMMIT');
      } catch (error) {
        broken = true;
        out.destroy(error as Error);
      } finally {
        lease.release(broken);
      }
    })().catch((error: unknown) => out.destroy(error as Error));
    return out;
  }

  async usage(
    tenantId: string,
    granularity: 'day' | 'month',
    from: Date,
    to: Date,
  ): Promise<AsyncIterableIterator<Record<string, unknown>>> {
    return this.rows(tenantId, usageQuery(tenantId, granularity, from, to));
  }

  async countAuthentications(tenantId: string, region: string, filter: AuthenticationReportFilter): Promise<number> {
    const q = authenticationQuery(tenantId, region, filter);
    const count = { text: `SELECT count(*)::int AS n FROM (${q.text}) x`, values: q.values };
    for await (const row of await this.rows(tenantId, count)) return row.n as number;
    return 0;
  }

  /** A connection for `tenantId` inside a READ ONLY transaction with the tenant set, or a coded refusal. */
  private async begin(tenantId: string): Promise<Lease> {
    const cap = this.limits.connectionsPerTenant;
    const held = this.perTenant.get(tenantId) ?? 0;
    if (cap !== null && held >= cap) throw ReportReadErrors.busy(cap);
    this.perTenant.set(tenantId, held + 1);
    const give = () => {
      const n = (this.perTenant.get(tenantId) ?? 1) - 1;
      if (n <= 0) this.perTenant.delete(tenantId);
      else this.perTenant.set(tenantId, n);
    };
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      give();
      this.logger.warn({ err: (error as Error).message }, 'no report connection');
      throw ReportReadErrors.unavailable();
    }
    const lease = new Lease(client, this.limits.maxReadMs, give);
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    } catch (error) {
      lease.release(true);
      this.logger.warn({ err: (error as Error).message }, 'report transaction did not start');
      throw ReportReadErrors.unavailable();
    }
    return lease;
  }

  private async rows(tenantId: string, query: Query): Promise<AsyncIterableIterator<Record<string, unknown>>> {
    const lease = await this.begin(tenantId);
    const inner = readRows(lease, query);
    let started = false;
    // An iterator closed before its first row (a download cancelled at once) still gives its connection back.
    const iterator: AsyncIterableIterator<Record<string, unknown>> = {
      next: () => {
        started = true;
        return inner.next();
      },
      return: async (value?: unknown) => {
        if (!started) lease.release(true);
        return inner.return(value);
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

async function* readRows(lease: Lease, query: Query): AsyncGenerator<Record<string, unknown>> {
  let clean = false;
  try {
    const rows = lease.client.query(new QueryStream(query.text, query.values, { batchSize: 2_000 }));
    try {
      for await (const row of rows) {
        if (lease.expired) throw new Error('report read exceeded its time bound');
        yield row as Record<string, unknown>;
      }
    } finally {
      rows.destroy();
    }
    await lease.client.query('COMMIT');
    clean = true;
  } finally {
    if (!clean && !lease.expired) await lease.client.query('ROLLBACK').catch(() => undefined);
    lease.release(!clean);
  }
}
