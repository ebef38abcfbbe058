import type { ClientBase } from 'pg';
import { CLOUD_CODE_TTL_SECONDS, MAX_ATTEMPTS } from '@twofold/authentication/domain';
import { authenticationUsageKey } from '@twofold/billing/domain';

/**
 * A year of finished SMS authentications of one big tenant, so a benchmark or a plan check runs
 * against tables the size production reaches instead of near-empty ones (issue 21).
 */
export interface SeedHistoryOptions {
  tenantId: string;
  /** The provider every seeded authentication and usage row belongs to. */
  providerId: string;
  /** Authentications to add, each with its record, its usage row and its SMS message. */
  count: number;
  /**
   * Users of the tenant the history is spread over (their names, personal fields and SMS phone
   * come from the directory). Without them the history has no user_id and `syntheticUsers` made-up
   * names, like authentications an MFA server started for names outside the directory.
   */
  userIds?: string[];
  /** How many made-up user names when no userIds are given (default 10,000). */
  syntheticUsers?: number;
  /** How far back the history reaches, in months (default 12). */
  months?: number;
  /**
   * The newest seeded authentication starts this long before now (default 3,600): live traffic
   * right after seeding never shares a time window with history.
   */
  endSecondsAgo?: number;
  /**
   * Creates the monthly partitions of authentication_records and usage_ledger for the history's
   * months first (default true), as the monthly job did when those months were current; otherwise
   * the history lands in the DEFAULT partitions, which no real tenant's history does.
   */
  partitions?: boolean;
  /** ANALYZE the touched tables at the end (default true). */
  analyze?: boolean;
  /**
   * VACUUM them too (default true): a year-old table has its visibility map and hint bits set,
   * and autovacuum would otherwise start on a million fresh rows in the middle of a measurement.
   */
  vacuum?: boolean;
}

export interface SeedHistoryResult {
  /** Wall time of the whole seeding, VACUUM/ANALYZE included. */
  ms: number;
  /** Wall time of each step, in the order run. */
  steps: Record<string, number>;
}

/** Share of the history that was denied (too many wrong codes), and that expired unanswered. */
const DENIED_SHARE = 0.04;
const EXPIRED_SHARE = 0.03;
/** Succeeded after one wrong code. */
const RETRIED_SHARE = 0.05;
/** The short code history messages went out from (a fictitious US short code). */
const HISTORY_SENDER = '55501';

// authenticationUsageKey is the authentication id behind a fixed prefix: SQL appends the ids itself,
// so the million keys come out exactly as the app writes them without a round trip each.
const USAGE_KEY_PREFIX = authenticationUsageKey('');
if (authenticationUsageKey('x') !== `${USAGE_KEY_PREFIX}x`) {
  throw new Error('seedHistory: authenticationUsageKey is no longer a prefix plus the id');
}

const TOUCHED_TABLES = ['authentications', 'authentication_records', 'usage_ledger', 'messages'];

/**
 * Inserts `count` finished prior authentications of the tenant with one authentication record, one
 * usage row (already reported to Stripe) and one delivered SMS message each, spread evenly over the
 * past `months` months and over the tenant's users. Plain SQL from generate_series, one INSERT …
 * SELECT per table, so a million of each takes seconds rather than minutes.
 *
 * `client` must connect as the owner or a superuser: the tables' row-level security applies to the
 * app role only, and partitions are created through the owner's function. The rows go in inside one
 * transaction (the partitions, each created by its own statement, just before it).
 */
export async function seedHistory(client: ClientBase, opts: SeedHistoryOptions): Promise<SeedHistoryResult> {
  const started = performance.now();
  const steps: Record<string, number> = {};
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      steps[name] = Math.round(performance.now() - t0);
    }
  };
  const count = opts.count;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`seedHistory: count ${count} is not a whole number`);
  if (count === 0) return { ms: 0, steps };
  const months = opts.months ?? 12;
  const endSecondsAgo = opts.endSecondsAgo ?? 3600;
  const syntheticUsers = opts.syntheticUsers ?? 10_000;
  if (!(months > 0) || !(endSecondsAgo >= 0) || !(syntheticUsers >= 1)) {
    throw new RangeError('seedHistory: months and syntheticUsers must be positive, endSecondsAgo not negative');
  }

  const { rows: tenants } = await client.query<{ region: string; from: string; to: string }>(
    `SELECT t.data_region::text AS region,
            (now() - make_interval(months => $2::int))::text AS "from",
            (now() - make_interval(secs => $3::double precision))::text AS "to"
       FROM tenants t JOIN providers p ON p.tenant_id = t.id AND p.id = $4::uuid
      WHERE t.id = $1::uuid`,
    [opts.tenantId, months, endSecondsAgo, opts.providerId],
  );
  const tenant = tenants[0];
  if (!tenant) throw new Error(`seedHistory: no provider ${opts.providerId} in tenant ${opts.tenantId}`);

  if (opts.partitions ?? true) {
    await step('partitions', async () => {
      for (const table of ['authentication_records', 'usage_ledger']) {
        // One month more than the span: the history starts part-way into its first month.
        await client.query(
          `SELECT twofold_create_month_partitions($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3)`,
          [table, tenant.from, months + 1],
        );
      }
    });
  }

  await client.query('BEGIN');
  try {
    // Every row refers to the same tenant and provider (checked above) and to users read in this
    // transaction: the foreign-key triggers would look those few rows up again once per row, a
    // quarter of the seeding time. Only a superuser may skip them (the four tables have no other
    // triggers); an owner connection keeps the checks and is slower.
    await client.query(
      `DO $$ BEGIN
         IF current_setting('is_superuser') = 'on' THEN SET LOCAL session_replication_role = replica; END IF;
       END $$`,
    );
    // Sorting the history into time order in memory rather than in temporary files.
    await client.query(`SET LOCAL work_mem = '256MB'`);
    const people = await step('people', () => createPeople(client, opts.tenantId, opts.userIds, syntheticUsers));
    if (people === 0) throw new Error('seedHistory: none of the given userIds is a user of the tenant');
    await step('history', () => createHistory(client, count, people, tenant.from, tenant.to));
    await step('authentications', () => insertAuthentications(client, opts.tenantId, opts.providerId));
    await step('authentication_records', () => insertRecords(client, opts.tenantId, opts.providerId, tenant.region));
    await step('usage_ledger', () => insertUsage(client, opts.tenantId, opts.providerId));
    await step('messages', () => insertMessages(client, opts.tenantId, opts.providerId));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }

  const analyze = opts.analyze ?? true;
  const vacuum = opts.vacuum ?? true;
  if (vacuum || analyze) {
    await step(vacuum ? 'vacuum' : 'analyze', () =>
      client.query(
        `${vacuum ? `VACUUM (ANALYZE ${analyze ? 'true' : 'false'})` : 'ANALYZE'} ${TOUCHED_TABLES.join(', ')}`,
      ),
    );
  }
  return { ms: Math.round(performance.now() - started), steps };
}

/**
 * twofold_history_people(k, user_id, user_name, first_name, last_name, email, phone), k = 0 … n-1
 * so each history row picks its person by a random k. Returns n.
 */
async function createPeople(
  client: ClientBase,
  tenantId: string,
  userIds: string[] | undefined,
  syntheticUsers: number,
): Promise<number> {
  const result = userIds
    ? await client.query(
        `CREATE TEMP TABLE twofold_history_people ON COMMIT DROP AS
         SELECT (row_number() OVER (ORDER BY u.id) - 1)::int AS k, u.id AS user_id, u.user_name,
                u.first_name, u.last_name, u.email,
                COALESCE((SELECT m.phone FROM user_methods m
                           WHERE m.tenant_id = u.tenant_id AND m.user_id = u.id AND m.method = 'sms'),
                         u.phone, '+1206555' || lpad((hashtext(u.id::text) & 8191)::text, 4, '0')) AS phone
           FROM users u
          WHERE u.tenant_id = $1::uuid AND u.id = ANY($2::uuid[])`,
        [tenantId, userIds],
      )
    : await client.query(
        `CREATE TEMP TABLE twofold_history_people ON COMMIT DROP AS
         SELECT k, NULL::uuid AS user_id, 'history-' || k || '@history.example' AS user_name,
                NULL::text AS first_name, NULL::text AS last_name, NULL::text AS email,
                '+1206555' || lpad((k % 10000)::text, 4, '0') AS phone
           FROM generate_series(0, $1::int - 1) k`,
        [syntheticUsers],
      );
  return result.rowCount ?? 0;
}

/**
 * twofold_history: one row per authentication with everything the four tables derive from it, in
 * time order (the order the rows are then inserted in, as a real history was; messages aside), so
 * the statements below agree on ids, users, outcomes and times without deriving them twice.
 */
async function createHistory(client: ClientBase, count: number, people: number, from: string, to: string) {
  await client.query(
    `CREATE TEMP TABLE twofold_history ON COMMIT DROP AS
     SELECT g.id, p.user_id, p.user_name, p.first_name, p.last_name, p.email, p.phone,
            g.status, g.attempts,
            CASE g.status WHEN 'expired' THEN 'expired' WHEN 'denied' THEN 'too_many_attempts' END AS deny_reason,
            g.created_at, g.expires_at,
            CASE g.status
              WHEN 'expired' THEN g.expires_at + make_interval(secs => 60 * g.r2)
              WHEN 'denied' THEN g.created_at + make_interval(secs => 30 + 90 * g.r2)
              ELSE g.created_at + make_interval(secs => 8 + 40 * g.r2) END::timestamptz(3) AS completed_at,
            g.correlation_id, '198.51.100.' || (1 + p.k % 254) AS client_ip
       FROM (
         SELECT x.*, x.created_at + make_interval(secs => $5::int) AS expires_at,
                CASE WHEN x.r < $6::float8 THEN 'expired' WHEN x.r < $7::float8 THEN 'denied' ELSE 'succeeded' END
                  AS status,
                CASE WHEN x.r < $6::float8 THEN 0 WHEN x.r < $7::float8 THEN $9::int WHEN x.r < $8::float8 THEN 1
                  ELSE 0 END AS attempts
           FROM (
             SELECT i, gen_random_uuid() AS id, gen_random_uuid()::text AS correlation_id,
                    floor(random() * $2::int)::int AS k, random() AS r, random() AS r2,
                    ($3::timestamptz + ($4::timestamptz - $3::timestamptz) * ((i + random()) / $1::int))::timestamptz(3)
                      AS created_at
               FROM generate_series(0, $1::int - 1) i
           ) x
       ) g
       JOIN twofold_history_people p ON p.k = g.k
      ORDER BY g.i`,
    [
      count,
      people,
      from,
      to,
      CLOUD_CODE_TTL_SECONDS,
      EXPIRED_SHARE,
      EXPIRED_SHARE + DENIED_SHARE,
      EXPIRED_SHARE + DENIED_SHARE + RETRIED_SHARE,
      MAX_ATTEMPTS,
    ],
  );
}

async function insertAuthentications(client: ClientBase, tenantId: string, providerId: string) {
  await client.query(
    `INSERT INTO authentications (tenant_id, id, provider_id, server_id, user_id, user_name, method, status,
       code_hash, attempts, sends_count, phone, device_activation_id, expires_at, deny_reason, client_ip,
       correlation_id, created_at, updated_at, completed_at)
     SELECT $1::uuid, h.id, $2::uuid, NULL, h.user_id, h.user_name, 'sms', h.status::authentication_status,
            encode(sha256(uuid_send(h.id)), 'hex'), h.attempts, 1, h.phone, NULL, h.expires_at, h.deny_reason,
            h.client_ip, h.correlation_id, h.created_at, h.completed_at, h.completed_at
       FROM twofold_history h`,
    [tenantId, providerId],
  );
}

/** As AuthenticationsService.recordOf writes them with the provider's default record fields (all kept). */
async function insertRecords(client: ClientBase, tenantId: string, providerId: string, region: string) {
  await client.query(
    `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, unique_id,
       user_id, server_id, first_name, last_name, email, phone, device_token, method, mode, result, deny_reason,
       server_name, server_ip, client_ip, data_region, delivery_status, correlation_id)
     SELECT $1::uuid, gen_random_uuid(), h.completed_at, h.id, $2::uuid, h.user_name, h.user_id, NULL,
            h.first_name, h.last_name, h.email, h.phone, NULL, 'sms', 'sms',
            (CASE WHEN h.status = 'succeeded' THEN 'success' ELSE 'deny' END)::authentication_result,
            h.deny_reason, NULL, NULL, h.client_ip, $3::data_region, 'delivered', h.correlation_id
       FROM twofold_history h`,
    [tenantId, providerId, region],
  );
}

/** Reported a few minutes after the start, as the usage relay does; the Stripe identifier is the key. */
async function insertUsage(client: ClientBase, tenantId: string, providerId: string) {
  await client.query(
    `INSERT INTO usage_ledger (tenant_id, id, provider_id, kind, idempotency_key, period_start, subject_id,
       quantity, occurred_at, reported_at, stripe_identifier, report_attempts)
     SELECT $1::uuid, gen_random_uuid(), $2::uuid, 'authentication', $3 || h.id,
            date_trunc('month', h.created_at, 'UTC'), h.id, 1, h.created_at,
            h.created_at + make_interval(secs => 60 + 240 * random()), $3 || h.id, 1
       FROM twofold_history h`,
    [tenantId, providerId, USAGE_KEY_PREFIX],
  );
}

/**
 * Delivered within seconds; Twilio message SIDs are "SM" and 32 hex digits. The messages go in in
 * authentication-id order, and each one's id and SID begin with the first 80 bits of its
 * authentication's id (random, as the app's ids are), so the three indexes keyed by them fill left to
 * right instead of each row landing on a random page of a 50 MB index: 2–3 times faster. The heap
 * is then in id rather than time order, which no lookup of a message (by id, SID or authentication)
 * depends on.
 */
async function insertMessages(client: ClientBase, tenantId: string, providerId: string) {
  await client.query(
    `INSERT INTO messages (tenant_id, id, authentication_id, provider_id, user_id, channel, status, to_phone,
       country, sender, sender_kind, twilio_sid, created_at, updated_at, sent_at, delivered_at)
     SELECT $1::uuid, (left(h.id::text, 24) || right(gen_random_uuid()::text, 12))::uuid, h.id, $2::uuid,
            h.user_id, 'sms', 'delivered', h.phone, CASE WHEN h.phone LIKE '+1%' THEN 'US' ELSE 'ZZ' END, $3,
            'short_code', 'SM' || replace(left(h.id::text, 23), '-', '') || right(gen_random_uuid()::text, 12),
            h.created_at, h.created_at + interval '4 seconds', h.created_at + interval '400 milliseconds',
            h.created_at + interval '3 seconds'
       FROM twofold_history h
      ORDER BY h.id`,
    [tenantId, providerId, HISTORY_SENDER],
  );
}
