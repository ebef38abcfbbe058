import { Injectable, Optional } from '@nestjs/common';
import type { DbService, SqlScope, SqlStatement } from '@twofold/platform/db';
import type { RecordContext } from '@twofold/authentication/domain';
import type { AuthenticationRow, NewAuthentication, NewAuthenticationRecord } from './authentication.types';
import { AuthMethod } from '@twofold/directory/contracts';
import { StartContextCache } from './start-context-cache';

/**
 * Authentications and their records (R26) on plain SQL (docs/decisions/0016): the authentication
 * API's hot path, in as few statements as its rules allow. Reads may join other domains' tables (one
 * round trip for everything a start or a close needs); writes stay on this domain's own tables, the
 * others write theirs through their data-access libs. One record per authentication: it is written
 * by the statement that closes it, with occurredAt = completedAt, so a retried close collides on
 * (tenant, authentication, occurred_at) instead of adding a second record.
 */

/** A write that is its transaction's last sends COMMIT with it (`SqlScope.commitWithNext`). */
export interface WriteOptions {
  last?: boolean;
}

/** [column, field] of AuthenticationRow, in one place for every statement below. */
const AUTH_FIELDS: [string, keyof AuthenticationRow][] = [
  ['tenant_id', 'tenantId'],
  ['id', 'id'],
  ['provider_id', 'providerId'],
  ['server_id', 'serverId'],
  ['user_id', 'userId'],
  ['user_name', 'userName'],
  ['method', 'method'],
  ['status', 'status'],
  ['code_hash', 'codeHash'],
  ['attempts', 'attempts'],
  ['sends_count', 'sendsCount'],
  ['phone', 'phone'],
  ['device_activation_id', 'deviceActivationId'],
  ['expires_at', 'expiresAt'],
  ['deny_reason', 'denyReason'],
  ['client_ip', 'clientIp'],
  ['correlation_id', 'correlationId'],
  ['created_at', 'createdAt'],
  ['completed_at', 'completedAt'],
];
const authColumns = (table = '') => AUTH_FIELDS.map(([c, f]) => `${table}${c} AS "${f}"`).join(', ');
const AUTH_COLUMNS = authColumns();
/** The same columns from the alias `a` (the locking read joins other tables). */
const AUTH_COLUMNS_OF_A = authColumns('a.');

/**
 * The locking read's select list: the authentication (alias `a`) and, as one JSON value, what its
 * record needs. Each table besides the authentication is read by a subquery on its key, not joined:
 * with joins, a generic plan made while the tables were young read users, providers and servers by
 * the tenant prefix of their primary keys and dropped the rows that did not match
 * (docs/decisions/0017).
 */
const LOCKING_READ = `SELECT ${AUTH_COLUMNS_OF_A},
         (jsonb_build_object('dataRegion', t.data_region,
            'deliveryStatus', (SELECT m.status FROM messages m WHERE m.authentication_id = a.id
                                 AND m.tenant_id = a.tenant_id ORDER BY m.created_at DESC LIMIT 1))
          || COALESCE((SELECT jsonb_build_object('firstName', u.first_name, 'lastName', u.last_name, 'email', u.email)
                         FROM users u WHERE u.tenant_id = a.tenant_id AND u.id = a.user_id),
                      '{"firstName": null, "lastName": null, "email": null}')
          || COALESCE((SELECT jsonb_build_object('recordFields', p.record_fields)
                         FROM providers p WHERE p.tenant_id = a.tenant_id AND p.id = a.provider_id),
                      '{"recordFields": null}')
          || COALESCE((SELECT jsonb_build_object('serverName', s.name, 'serverIp', s.ip_address)
                         FROM mfa_servers s WHERE s.tenant_id = a.tenant_id AND s.id = a.server_id),
                      '{"serverName": null, "serverIp": null}'))::json AS record
       FROM authentications a
       JOIN tenants t ON t.id = a.tenant_id`;

/** The user's row (alias `u`) as the start context's `user`. */
const USER_JSON = `json_build_object(
           'id', u.id, 'userName', u.user_name, 'firstName', u.first_name, 'lastName', u.last_name,
           'email', u.email, 'phone', u.phone, 'mfaEnabled', u.mfa_enabled, 'defaultMethod', u.default_method)`;

function splitRecord(row: AuthenticationRow & { record: RecordContext }): {
  auth: AuthenticationRow;
  record: RecordContext;
} {
  const { record, ...auth } = row;
  return { auth, record };
}

export interface ContextUser {
  id: string;
  userName: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  mfaEnabled: boolean;
  defaultMethod: AuthMethod | null;
}

export interface ContextProvider {
  id: string;
  linkedTenantId: string | null;
  voiceCallerId: string | null;
  recordFields: unknown;
}

export interface ContextServer {
  id: string;
  name: string;
  ipAddress: string | null;
  pendingSmsTimeoutSeconds: number;
  voiceCallerId: string | null;
}

/** Everything a start (or a resend) decides on, read in one statement. */
export interface StartContext {
  tier: 'free' | 'standard';
  dataRegion: NewAuthenticationRecord['dataRegion'];
  /** R17: app passwords work only while the tenant allows them. */
  appPasswordsAllowed: boolean;
  policy: { method: AuthMethod; enabled: boolean }[];
  user: ContextUser | null;
  methods: { method: AuthMethod; phone: string | null }[];
  activeDevices: number;
  /** The requested provider (live), or up to two live providers linked to the tenant. */
  providers: ContextProvider[];
  server: ContextServer | null;
  /** Where the tenant's SMS and voice may go, and its hourly cap per country (docs/decisions/0019). */
  deliveryCountries: string[];
  smsVelocityPerHour: number | null;
  /** Countries with an enabled SMS sender: a short-code pool (US, CA) or a sender route (R21, R22). */
  routedCountries: string[];
}

export interface StartContextQuery {
  userId?: string;
  userName?: string;
  /** A provider id to load (live only); without it, the tenant's linked providers. */
  providerId: string | null;
  serverId: string | null;
}

export type { RecordContext };

export type AuthenticationPatch = Partial<
  Pick<
    AuthenticationRow,
    | 'status'
    | 'codeHash'
    | 'attempts'
    | 'sendsCount'
    | 'phone'
    | 'method'
    | 'deviceActivationId'
    | 'denyReason'
    | 'completedAt'
  >
>;

const PATCH_COLUMNS: Record<keyof AuthenticationPatch, string> = {
  status: 'status = $X::authentication_status',
  codeHash: 'code_hash = $X',
  attempts: 'attempts = $X',
  sendsCount: 'sends_count = $X',
  phone: 'phone = $X',
  method: 'method = $X::auth_method',
  deviceActivationId: 'device_activation_id = $X::uuid',
  denyReason: 'deny_reason = $X',
  completedAt: 'completed_at = $X',
};

/** `SET a = $3, b = $4, updated_at = now()` for the keys present in the patch, values from $first. */
function setClause(patch: AuthenticationPatch, first: number): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const key of Object.keys(PATCH_COLUMNS) as (keyof AuthenticationPatch)[]) {
    if (!(key in patch)) continue;
    values.push(patch[key]);
    parts.push(PATCH_COLUMNS[key].replace('$X', `$${first + values.length - 1}`));
  }
  parts.push('updated_at = now()');
  return { sql: parts.join(', '), values };
}

const RECORD_COLUMNS = `tenant_id, id, occurred_at, authentication_id, provider_id, unique_id, user_id, server_id,
  first_name, last_name, email, phone, device_token, method, mode, result, deny_reason, server_name, server_ip,
  client_ip, data_region, delivery_status, correlation_id`;
// Every parameter is cast: in `INSERT … SELECT … FROM closed` PostgreSQL would take untyped ones as text.
const RECORD_VALUES = `$1::uuid, twofold_new_id(), $2::timestamptz, $3::uuid, $4::uuid, $5::text, $6::uuid,
  $7::uuid, $8::text, $9::text, $10::text, $11::text, $12::text, $13::auth_method, $14::text,
  $15::authentication_result, $16::text, $17::text, $18::text, $19::text, $20::data_region,
  $21::message_status, $22::text`;

function recordValues(tenantId: string, r: NewAuthenticationRecord): unknown[] {
  return [
    tenantId,
    r.occurredAt,
    r.authenticationId,
    r.providerId,
    r.uniqueId,
    r.userId,
    r.serverId,
    r.firstName,
    r.lastName,
    r.email,
    r.phone,
    r.deviceToken,
    r.method,
    r.mode,
    r.result,
    r.denyReason,
    r.serverName,
    r.serverIp,
    r.clientIp,
    r.dataRegion,
    r.deliveryStatus,
    r.correlationId,
  ];
}

/** What `verifyCode` met, and did (docs/decisions/0028). */
export type CodeVerification =
  /** Not an SMS/voice authentication of the expected user: nothing changed, take the two-step path. */
  | 'fallback'
  /** Already closed: answered as it is. */
  | 'closed'
  /** R12, R13: closed by the gate, before any code was compared. */
  | 'wrong_server'
  | 'expired'
  | 'success'
  /** R13: a wrong code with tries left (attempts counted), or the last try (closed, denied). */
  | 'invalid_code'
  | 'too_many_attempts';

export interface CodeVerificationInput {
  id: string;
  /** The injected clock's time: the gate's "now" and the completion time (the record's occurredAt). */
  now: Date;
  /** The calling MFA server, null for a tenant's application (R12). */
  callerServerId: string | null;
  /** `userId ?? userName` of the user whose lockout the caller checked: another user → `fallback`. */
  userSubject: string;
  /** `hashCode(code, pepper, id)` of the candidate, null when no code was sent. */
  codeHash: string | null;
  /** R13's MAX_ATTEMPTS. */
  maxAttempts: number;
}

/**
 * R26: whether the provider keeps an optional record field, as `mergeRecordFields(record_fields)`
 * and `keepOnly` decide it in the process: absent (or no provider) keeps it, a falsy JSON value drops it.
 */
const keeps = (field: string) =>
  `COALESCE(c.record_fields -> '${field}' NOT IN ('false'::jsonb, 'null'::jsonb, '0'::jsonb, '""'::jsonb), true)`;

/**
 * What a pending SMS/voice authentication's verification comes to, on the row `t` as it is when the
 * UPDATE below writes it: `gateVerification` (R12 wrong server, R13 expiry), then the code, then
 * `afterWrongCode` (R13). The hashes are compared through SHA-256 of each, so the comparison's time
 * says nothing about how much of the stored hash a candidate shares.
 */
const DECIDE = `(CASE
             WHEN t.server_id IS DISTINCT FROM $4::uuid THEN 'wrong_server'
             WHEN $3::timestamptz >= t.expires_at THEN 'expired'
             WHEN t.code_hash IS NOT NULL AND $6::text IS NOT NULL
                  AND sha256(convert_to(t.code_hash, 'UTF8')) = sha256(convert_to($6::text, 'UTF8')) THEN 'success'
             WHEN t.attempts + 1 >= $7::int THEN 'too_many_attempts'
             ELSE 'invalid_code'
           END)`;

/**
 * SMS/voice verification in one statement (docs/decisions/0028). The UPDATE is the lock: under READ
 * COMMITTED it waits for a concurrent verification of the row, then re-checks its WHERE and computes
 * every SET expression on the row as that one committed it, so each decision is made on the latest
 * row (an attempt is never counted twice, a closed authentication never closed again). It counts the
 * attempt, closes on success, the gate or the last try, and the same statement inserts the one record
 * with the fields `AuthenticationCloser.recordOf` writes. Only when it updated nothing (closed, another
 * method, another user) does the last part read the row, locked so it is the latest: closed answers
 * as it is, anything else is `fallback` and unchanged.
 */
const VERIFY_CODE = `WITH u AS (
         UPDATE authentications t SET
           status = (CASE ${DECIDE} WHEN 'success' THEN 'succeeded' WHEN 'expired' THEN 'expired'
                       WHEN 'invalid_code' THEN 'pending' ELSE 'denied' END)::authentication_status,
           deny_reason = CASE ${DECIDE} WHEN 'success' THEN NULL WHEN 'invalid_code' THEN t.deny_reason
                           ELSE ${DECIDE} END,
           attempts = CASE WHEN ${DECIDE} IN ('invalid_code', 'too_many_attempts') THEN t.attempts + 1
                        ELSE t.attempts END,
           completed_at = CASE WHEN ${DECIDE} = 'invalid_code' THEN t.completed_at ELSE $3::timestamptz END,
           updated_at = now()
         -- status as text: a visible "status = 'pending'" let a generic plan made on a young table read
         -- the row through the partial index of pending authentications; only the key may fit
         -- (docs/decisions/0017).
         WHERE t.tenant_id = $1 AND t.id = $2::uuid AND t.status::text = 'pending' AND t.method IN ('sms', 'voice')
           AND COALESCE(t.user_id::text, t.user_name) = $5::text
         RETURNING t.*
       ), recorded AS (
         INSERT INTO authentication_records (${RECORD_COLUMNS})
         SELECT u.tenant_id, twofold_new_id(), u.completed_at, u.id, u.provider_id, u.user_name, u.user_id, u.server_id,
           CASE WHEN ${keeps('firstName')} THEN c.usr ->> 'firstName' END,
           CASE WHEN ${keeps('lastName')} THEN c.usr ->> 'lastName' END,
           CASE WHEN ${keeps('email')} THEN c.usr ->> 'email' END,
           CASE WHEN ${keeps('phoneNumber')} THEN u.phone END,
           NULL, u.method, u.method::text,
           (CASE WHEN u.status = 'succeeded' THEN 'success' ELSE 'deny' END)::authentication_result,
           CASE WHEN u.status = 'expired' THEN 'expired' ELSE u.deny_reason END,
           CASE WHEN ${keeps('serverName')} THEN c.srv ->> 'name' END,
           CASE WHEN ${keeps('serverIp')} THEN c.srv ->> 'ip' END,
           CASE WHEN ${keeps('clientIp')} THEN u.client_ip END,
           c.region, c.delivery, u.correlation_id
         FROM u
         -- Each table by a subquery on its key, not a join: joined, a generic plan made while the
         -- tables were young read the tenant's users by their key's tenant prefix (docs/decisions/0017).
         CROSS JOIN LATERAL (SELECT
           (SELECT jsonb_build_object('firstName', x.first_name, 'lastName', x.last_name, 'email', x.email)
              FROM users x WHERE x.tenant_id = u.tenant_id AND x.id = u.user_id) AS usr,
           (SELECT x.record_fields FROM providers x WHERE x.tenant_id = u.tenant_id AND x.id = u.provider_id)
             AS record_fields,
           (SELECT jsonb_build_object('name', x.name, 'ip', x.ip_address)
              FROM mfa_servers x WHERE x.tenant_id = u.tenant_id AND x.id = u.server_id) AS srv,
           (SELECT x.data_region FROM tenants x WHERE x.id = u.tenant_id) AS region,
           (SELECT m.status FROM messages m WHERE m.authentication_id = u.id AND m.tenant_id = u.tenant_id
             ORDER BY m.created_at DESC LIMIT 1) AS delivery
           -- OFFSET 0 keeps this subquery whole: pulled up, each use of a column ran its subquery again.
           OFFSET 0) c
         WHERE u.status <> 'pending'
         ON CONFLICT DO NOTHING
       ), unchanged AS (
         SELECT CASE WHEN a.status <> 'pending' THEN 'closed' ELSE 'fallback' END AS outcome, ${AUTH_COLUMNS_OF_A}
           FROM authentications a
          WHERE a.tenant_id = $1 AND a.id = $2::uuid AND NOT EXISTS (SELECT 1 FROM u)
          FOR UPDATE
       )
       SELECT CASE WHEN u.status = 'pending' THEN 'invalid_code' WHEN u.status = 'succeeded' THEN 'success'
                   WHEN u.status = 'expired' THEN 'expired' ELSE u.deny_reason END AS outcome,
              ${authColumns('u.')}
         FROM u
       UNION ALL
       SELECT * FROM unchanged`;

@Injectable()
export class AuthenticationSqlRepository {
  constructor(@Optional() private readonly tenantPart?: StartContextCache) {}

  /**
   * The tenant, its method policy, the user with methods and active devices, provider(s) and server.
   * With the tenant part cached (docs/decisions/0029), only the user's part is read.
   */
  async startContext(scope: SqlScope, q: StartContextQuery): Promise<StartContext> {
    const cache = this.tenantPart;
    const cached = cache?.get(scope.tenantId, q.providerId, q.serverId) ?? null;
    if (cached) return { ...cached, ...(await this.userContext(scope, q)) };
    const epoch = cache?.epoch ?? 0;
    const ctx = await this.fullContext(scope, q);
    if (cache?.enabled) {
      const { user: _user, methods: _methods, activeDevices: _devices, ...part } = ctx;
      cache.set(scope.tenantId, q.providerId, q.serverId, structuredClone(part), epoch);
    }
    return ctx;
  }

  /** Everything in one statement (no cache, or the tenant part not cached). */
  private async fullContext(scope: SqlScope, q: StartContextQuery): Promise<StartContext> {
    const byId = q.userId !== undefined;
    // The user is read on its own (a MATERIALIZED CTE is planned apart): joined to tenants, a generic
    // plan made while users was young scanned the tenant's users by the primary key's tenant prefix
    // and filtered on the name (docs/decisions/0017). Alone, only its key index fits.
    const rows = await scope.query<StartContext & { user: ContextUser | null }>(
      `WITH u AS MATERIALIZED (
         SELECT * FROM users u WHERE u.tenant_id = $1::uuid AND ${byId ? 'u.id = $2::uuid' : 'u.user_name = $2'}
       )
       SELECT t.tier, t.data_region AS "dataRegion", t.app_passwords_allowed AS "appPasswordsAllowed",
         t.delivery_countries AS "deliveryCountries",
         t.sms_velocity_per_hour AS "smsVelocityPerHour",
         ARRAY(SELECT sc.country::text FROM short_codes sc WHERE sc.enabled
               UNION SELECT sr.country FROM sender_routes sr
                      WHERE sr.enabled AND sr.country NOT IN ('US', 'CA')) AS "routedCountries",
         COALESCE((SELECT json_agg(json_build_object('method', p.method, 'enabled', p.enabled))
                     FROM tenant_method_policies p WHERE p.tenant_id = t.id), '[]') AS policy,
         CASE WHEN u.id IS NULL THEN NULL ELSE ${USER_JSON} END AS "user",
         COALESCE((SELECT json_agg(json_build_object('method', m.method, 'phone', m.phone) ORDER BY m.created_at, m.method)
                     FROM user_methods m WHERE m.tenant_id = t.id AND m.user_id = u.id), '[]') AS methods,
         (SELECT count(*)::int FROM device_activations d
           WHERE d.tenant_id = t.id AND d.user_id = u.id AND d.active) AS "activeDevices",
         COALESCE((SELECT json_agg(json_build_object('id', pr.id, 'linkedTenantId', pr.linked_tenant_id,
                     'voiceCallerId', pr.voice_caller_id, 'recordFields', pr.record_fields) ORDER BY pr.created_at, pr.id)
                     FROM (SELECT * FROM providers pr WHERE pr.tenant_id = t.id AND pr.deleted_at IS NULL
                             AND ${q.providerId ? 'pr.id = $3::uuid' : 'pr.linked_tenant_id = t.id AND $3::uuid IS NULL'}
                           ORDER BY pr.created_at, pr.id LIMIT 2) pr), '[]') AS providers,
         (SELECT json_build_object('id', s.id, 'name', s.name, 'ipAddress', s.ip_address,
                   'pendingSmsTimeoutSeconds', s.pending_sms_timeout_seconds, 'voiceCallerId', s.voice_caller_id)
            FROM mfa_servers s WHERE s.tenant_id = t.id AND s.id = $4::uuid) AS server
       FROM tenants t LEFT JOIN u ON true
       WHERE t.id = $1::uuid`,
      [scope.tenantId, byId ? q.userId : (q.userName ?? ''), q.providerId, q.serverId],
    );
    const row = rows[0];
    if (!row) throw new Error('startContext: the scope tenant does not exist');
    return row;
  }

  /** The per-user part alone: the user, their methods and their active devices (no user: no row). */
  private async userContext(
    scope: SqlScope,
    q: StartContextQuery,
  ): Promise<Pick<StartContext, 'user' | 'methods' | 'activeDevices'>> {
    const byId = q.userId !== undefined;
    const rows = await scope.query<Pick<StartContext, 'user' | 'methods' | 'activeDevices'>>(
      `WITH u AS MATERIALIZED (
         SELECT * FROM users u WHERE u.tenant_id = $1::uuid AND ${byId ? 'u.id = $2::uuid' : 'u.user_name = $2'}
       )
       SELECT ${USER_JSON} AS "user",
         COALESCE((SELECT json_agg(json_build_object('method', m.method, 'phone', m.phone) ORDER BY m.created_at, m.method)
                     FROM user_methods m WHERE m.tenant_id = $1::uuid AND m.user_id = u.id), '[]') AS methods,
         (SELECT count(*)::int FROM device_activations d
           WHERE d.tenant_id = $1::uuid AND d.user_id = u.id AND d.active) AS "activeDevices"
       FROM u`,
      [scope.tenantId, byId ? q.userId : (q.userName ?? '')],
    );
    return rows[0] ?? { user: null, methods: [], activeDevices: 0 };
  }

  /**
   * Inserts the authentication, and in the same statement the rows other domains write with it
   * (its usage row, its message), each statement authored by its own data-access lib.
   */
  /**
   * The new authentication, carrying whatever other domains attached to the scope (its usage row,
   * its queued message). `last`: COMMIT goes out with it (see `SqlScope.commitWithNext`).
   */
  async create(scope: SqlScope, input: NewAuthentication, options: WriteOptions = {}): Promise<AuthenticationRow> {
    const insert: SqlStatement = {
      text: `INSERT INTO authentications (tenant_id, id, provider_id, server_id, user_id, user_name, method, status,
         code_hash, sends_count, phone, device_activation_id, expires_at, deny_reason, client_ip, correlation_id,
         updated_at, completed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::auth_method, $8::authentication_status, $9, $10, $11, $12, $13, $14,
         $15, $16, now(), $17)
       RETURNING ${AUTH_COLUMNS}`,
      values: [
        scope.tenantId,
        input.id,
        input.providerId,
        input.serverId,
        input.userId,
        input.userName,
        input.method,
        input.status ?? 'pending',
        input.codeHash,
        input.sendsCount,
        input.phone,
        input.deviceActivationId,
        input.expiresAt,
        input.denyReason ?? null,
        input.clientIp,
        input.correlationId,
        input.completedAt ?? null,
      ],
    };
    if (options.last) scope.commitWithNext();
    const rows = await scope.query<AuthenticationRow>(insert.text, insert.values);
    return rows[0] as AuthenticationRow;
  }

  async find(scope: SqlScope, id: string): Promise<AuthenticationRow | null> {
    const rows = await scope.query<AuthenticationRow>(
      `SELECT ${AUTH_COLUMNS} FROM authentications WHERE tenant_id = $1 AND id = $2::uuid`,
      [scope.tenantId, id],
    );
    return rows[0] ?? null;
  }

  /**
   * Reads and locks the authentication (verifications of one authentication serialise here), with
   * what its record needs: the user's names and e-mail, the provider's record fields (also when the
   * provider was deleted), the server's name and IP, the tenant's data region, the latest delivery.
   */
  async lock(scope: SqlScope, id: string): Promise<{ auth: AuthenticationRow; record: RecordContext } | null> {
    const rows = await scope.query<AuthenticationRow & { record: RecordContext }>(
      `${LOCKING_READ}
       WHERE a.tenant_id = $1 AND a.id = $2::uuid
       FOR UPDATE OF a`,
      [scope.tenantId, id],
    );
    const row = rows[0];
    return row ? splitRecord(row) : null;
  }

  /**
   * Locks every pending authentication of a user, with what each record needs: the user is about to
   * be deleted, and each must end with its record (R26) before the cascade removes it. No ORDER BY:
   * sorted by id, a generic plan read the tenant's authentications through the primary key and
   * dropped the other users' (docs/decisions/0017); deleters of one user queue on the user's row lock.
   */
  async lockPendingOfUser(
    scope: SqlScope,
    userId: string,
  ): Promise<{ auth: AuthenticationRow; record: RecordContext }[]> {
    const rows = await scope.query<AuthenticationRow & { record: RecordContext }>(
      `${LOCKING_READ}
       WHERE a.user_id = $2::uuid AND a.tenant_id = $1 AND a.status = 'pending'
       FOR UPDATE OF a`,
      [scope.tenantId, userId],
    );
    return rows.map(splitRecord);
  }

  async update(
    scope: SqlScope,
    id: string,
    patch: AuthenticationPatch,
    options: WriteOptions = {},
  ): Promise<AuthenticationRow> {
    const set = setClause(patch, 3);
    if (options.last) scope.commitWithNext();
    const rows = await scope.query<AuthenticationRow>(
      `UPDATE authentications SET ${set.sql} WHERE tenant_id = $1 AND id = $2::uuid RETURNING ${AUTH_COLUMNS}`,
      [scope.tenantId, id, ...set.values],
    );
    const row = rows[0];
    if (!row) throw new Error('update: the authentication vanished inside its transaction');
    return row;
  }

  /**
   * Closes the authentication and writes its one record in a single statement. The record's
   * occurredAt is the completion time, so a retried close collides on the record's unique key.
   */
  async close(
    scope: SqlScope,
    id: string,
    patch: AuthenticationPatch,
    record: NewAuthenticationRecord,
    options: WriteOptions = {},
  ): Promise<AuthenticationRow> {
    const recordPart = recordValues(scope.tenantId, record);
    const set = setClause(patch, recordPart.length + 2);
    if (options.last) scope.commitWithNext();
    const rows = await scope.query<AuthenticationRow>(
      `WITH closed AS (
         UPDATE authentications SET ${set.sql} WHERE tenant_id = $1 AND id = $${recordPart.length + 1}::uuid
         RETURNING ${AUTH_COLUMNS}
       ), recorded AS (
         INSERT INTO authentication_records (${RECORD_COLUMNS}) SELECT ${RECORD_VALUES} FROM closed
         ON CONFLICT DO NOTHING
       )
       SELECT * FROM closed`,
      [...recordPart, id, ...set.values],
    );
    const row = rows[0];
    if (!row) throw new Error('close: the authentication vanished inside its transaction');
    return row;
  }

  /**
   * SMS/voice: the whole verification in one statement (see VERIFY_CODE); the caller checked the
   * user's lockout before. Null when the authentication does not exist (in this tenant).
   */
  async verifyCode(
    scope: SqlScope,
    input: CodeVerificationInput,
  ): Promise<{ outcome: CodeVerification; auth: AuthenticationRow } | null> {
    const rows = await scope.query<AuthenticationRow & { outcome: CodeVerification }>(VERIFY_CODE, [
      scope.tenantId,
      input.id,
      input.now,
      input.callerServerId,
      input.userSubject,
      input.codeHash,
      input.maxAttempts,
    ]);
    const row = rows[0];
    if (!row) return null;
    const { outcome, ...auth } = row;
    return { outcome, auth };
  }

  /** Pending authentications past their expiry, across tenants (the sweeper; SECURITY DEFINER lookup). */
  async expiredPending(platform: Pick<DbService, 'query'>, limit: number): Promise<{ tenantId: string; id: string }[]> {
    return platform.query<{ tenantId: string; id: string }>(
      'SELECT tenant_id::text AS "tenantId", id::text AS id FROM twofold_expired_authentications($1::int)',
      [limit],
    );
  }

  /** The record of an authentication denied at its start (R17, R18). */
  async writeRecord(scope: SqlScope, record: NewAuthenticationRecord, options: WriteOptions = {}): Promise<void> {
    if (options.last) scope.commitWithNext();
    await scope.query(
      `INSERT INTO authentication_records (${RECORD_COLUMNS}) VALUES (${RECORD_VALUES}) ON CONFLICT DO NOTHING`,
      recordValues(scope.tenantId, record),
    );
  }
}
