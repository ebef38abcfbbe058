import { parseKeyList } from '@twofold/platform/crypto';
import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The only reader of process.env. Each app composes its schema from these parts and validates it
 * once at boot; a bad config stops the process with one line per missing or bad variable.
 */

const int = (min: number, max: number) =>
  z.coerce
    .number({ invalid_type_error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);

const port = (fallback: number) => int(1, 65535).default(fallback);

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

const redisUrl = z
  .string()
  .url()
  .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL');

export const baseConfigSchema = z.object({
  /**
   * Unset means production: the public development stand-ins (DEV_SECRETS_KEYS, DEV_TWILIO, …) are
   * filled in only for an explicit `development` or `test` (issue 15 item 8, docs/decisions/0021).
   */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The services connect as the non-owner role (twofold_app) so row-level security applies. */
  DATABASE_URL: postgresUrl.default('postgresql://twofold_app@127.0.0.1:5432/twofold'),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  /** BullMQ key prefix; the hash tag keeps each queue's keys in one Redis Cluster slot. */
  QUEUE_PREFIX: z.string().min(1).max(64).default('{twofold}'),
  /** Seconds to let in-flight requests and jobs finish on SIGTERM before exiting. */
  SHUTDOWN_GRACE_SECONDS: int(0, 600).default(20),
  /**
   * Keys that encrypt secrets at rest (TOTP seeds, token secrets): `keyId:base64-32-bytes`, comma
   * separated; old keys stay listed until no row uses them. Required in production; development
   * and tests get DEV_SECRETS_KEYS (see loadConfig).
   */
  SECRETS_KEYS: z.string().superRefine((value, ctx) => {
    for (const problem of parseKeyList(value).problems) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  }),
  /** The key id that seals new secrets; must be one of SECRETS_KEYS. */
  SECRETS_ACTIVE_KEY_ID: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a key id listed in SECRETS_KEYS'),
  /**
   * Who may read /metrics without the operator key (docs/decisions/0024): a comma list of IP
   * addresses and CIDRs (the Prometheus servers). Empty: nobody by address.
   */
  METRICS_ALLOW_CIDRS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const parsed = parseAddressList(value);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
  /**
   * The platform operator key. Required by auth-provider and delivery (their operator APIs); the
   * other processes take it only to let the operator read /metrics, and may go without.
   */
  OPERATOR_API_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
});

/**
 * A fixed, public key for development and tests only (so local data survives restarts). Applied
 * only when NODE_ENV is explicitly development or test; in any other mode a service refuses to boot
 * with it (and with the one-time-code pepper derived from it).
 */
export const DEV_SECRETS_KEYS = 'dev:ZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQhISE=';
export const DEV_SECRETS_ACTIVE_KEY_ID = 'dev';

export const httpConfigSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Largest accepted request body; bulk imports get their own limit where they need it. */
  HTTP_BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /**
   * Processes serving the port (node:cluster; the primary only supervises). Services are stateless,
   * so this is the same as N replicas on one host: use up to the cores the service may take.
   */
  HTTP_PROCESSES: int(1, 64).default(1),
  /**
   * How long a process may keep a verified tenant API key or MFA server credential before asking
   * PostgreSQL again (issue 17): at most 1 s, so a key revoked or a tenant suspended elsewhere is
   * refused everywhere within 1 s; the process that revokes or suspends forgets at once. 0 = no cache.
   */
  CREDENTIAL_CACHE_MS: int(0, 1000).default(1000),
  /**
   * How long an auth-provider process may keep a tenant's part of an authentication's start context
   * (settings, method policy, provider resolution, MFA server; docs/decisions/0029). A change is
   * announced to every process at COMMIT (LISTEN/NOTIFY) and drops the entry within milliseconds;
   * this bounds staleness only if a notification were lost. 0 = read everything every time.
   */
  TENANT_SETTINGS_CACHE_MS: int(0, 60_000).default(5000),
  /** Which proxies may set X-Forwarded-For/-Proto (docs/decisions/0021); see parseTrustProxy. */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      const parsed = parseTrustProxy(value);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
});

/**
 * What the HTTP adapter trusts to set X-Forwarded-For / X-Forwarded-Proto: nobody (`false`), the
 * given addresses and CIDRs, or a number of hops nearest the service.
 */
export type TrustedProxies = false | number | string[];

const MAX_PROXY_HOPS = 16;

/** Issue 15 item 7: `true` (every hop) is refused; a list of proxy addresses/CIDRs or a hop count. A string is the problem. */
export function parseTrustProxy(value: string): TrustedProxies | string {
  const v = value.trim();
  if (v === 'false' || v === '0') return false;
  if (v === 'true') {
    return 'true would trust every hop, so anyone reaching the service directly could spoof X-Forwarded-For and X-Forwarded-Proto: give the proxies’ addresses or CIDRs (comma separated) or a hop count';
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= MAX_PROXY_HOPS ? hops : `a hop count must be from 0 to ${MAX_PROXY_HOPS}`;
  }
  const entries = v.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isAddressOrCidr(entry));
  if (bad.length > 0) {
    return `must be false, a hop count, or a comma list of IP addresses or CIDRs (not: ${bad.map((b) => JSON.stringify(b.slice(0, 64))).join(', ')})`;
  }
  return entries;
}

/** METRICS_ALLOW_CIDRS: empty (nobody), or a comma list of IP addresses and CIDRs. A string is the problem. */
export function parseAddressList(value: string): string[] | string {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const bad = entries.filter((entry) => !isAddressOrCidr(entry));
  if (bad.length > 0) {
    return `must be a comma list of IP addresses or CIDRs (not: ${bad.map((b) => JSON.stringify(b.slice(0, 64))).join(', ')})`;
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * The floor under any operator's minimum (issue 16 item 2, docs/decisions/0025). Billing counts a
 * month's served users from its authentication records when the month closes (10 minutes after it
 * ends); 62 days keeps the records of the 1st of a month for at least 31 days after that month closed,
 * so a billing worker down for weeks still finds them. Audit entries have no such reader: 30 days.
 */
export const RECORD_RETENTION_FLOOR_DAYS = 62;
export const AUDIT_RETENTION_FLOOR_DAYS = 30;
const RETENTION_CEILING_DAYS = 36_500;

const retentionDays = (floor: number, fallback: number) => int(floor, RETENTION_CEILING_DAYS).default(fallback);

/**
 * Per-tenant retention of authentication records and audit entries: the platform default and the
 * operator's bounds a tenant's own setting must stay within. Read by the auth-provider (the tenant
 * setting) and the reporting worker (the purge), so both see the same bounds.
 */
export const retentionConfigSchema = z.object({
  RECORD_RETENTION_DAYS_DEFAULT: retentionDays(RECORD_RETENTION_FLOOR_DAYS, 400),
  RECORD_RETENTION_DAYS_MIN: retentionDays(RECORD_RETENTION_FLOOR_DAYS, 90),
  RECORD_RETENTION_DAYS_MAX: retentionDays(RECORD_RETENTION_FLOOR_DAYS, 3_650),
  AUDIT_RETENTION_DAYS_DEFAULT: retentionDays(AUDIT_RETENTION_FLOOR_DAYS, 730),
  AUDIT_RETENTION_DAYS_MIN: retentionDays(AUDIT_RETENTION_FLOOR_DAYS, 90),
  AUDIT_RETENTION_DAYS_MAX: retentionDays(AUDIT_RETENTION_FLOOR_DAYS, 3_650),
});

/** Cross-field rule, applied last by each schema that includes retentionConfigSchema: MIN ≤ DEFAULT ≤ MAX. */
export function checkRetentionBounds(c: z.infer<typeof retentionConfigSchema>, ctx: z.RefinementCtx): void {
  for (const kind of ['RECORD', 'AUDIT'] as const) {
    const min = c[`${kind}_RETENTION_DAYS_MIN`];
    const max = c[`${kind}_RETENTION_DAYS_MAX`];
    const def = c[`${kind}_RETENTION_DAYS_DEFAULT`];
    if (min > max)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [`${kind}_RETENTION_DAYS_MIN`],
        message: `must not be above ${kind}_RETENTION_DAYS_MAX (${max})`,
      });
    else if (def < min || def > max)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [`${kind}_RETENTION_DAYS_DEFAULT`],
        message: `must be within ${kind}_RETENTION_DAYS_MIN and ${kind}_RETENTION_DAYS_MAX (${min} to ${max})`,
      });
  }
}
export type RetentionConfig = z.infer<typeof retentionConfigSchema>;

export const authProviderConfigSchema = baseConfigSchema
  .merge(httpConfigSchema)
  .merge(retentionConfigSchema)
  .extend({
    PORT: port(3000),
    /** Platform operator key: creates tenants and manages sender pools. */
    OPERATOR_API_KEY: z.string().min(32, 'must be at least 32 characters'),
    /** R28: MFA servers must reach the API over HTTPS (TLS or a trusted proxy's X-Forwarded-Proto). */
    SERVER_HTTPS_ONLY: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    /** How often pending authentications past their expiry are closed (0 = never; tests call the sweep). */
    AUTH_SWEEP_INTERVAL_SECONDS: int(0, 3600).default(30),
    /**
     * SMS/voice velocity (docs/decisions/0019): sends per tenant and destination country in any hour
     * unless the tenant sets its own `smsVelocityPerHour`, and the operator's ceiling on that setting.
     */
    SMS_VELOCITY_DEFAULT_PER_HOUR: int(1, 1_000_000).default(300),
    SMS_VELOCITY_MAX_PER_HOUR: int(1, 1_000_000).default(5_000),
    /** The n-th different number under one 6-digit prefix within 10 minutes trips the same cap. */
    SMS_PREFIX_BURST_NUMBERS: int(2, 1_000_000).default(50),
    /** docs/decisions/0026: days between an operator's DELETE of a tenant and its deletion (resume cancels it). */
    TENANT_DELETION_GRACE_DAYS: int(0, 365).default(30),
    /** docs/decisions/0031: an admin session ends after this many minutes without a request... */
    ADMIN_SESSION_IDLE_MINUTES: int(1, 24 * 60).default(30),
    /** ...and this many hours after sign-in, however active. */
    ADMIN_SESSION_ABSOLUTE_HOURS: int(1, 7 * 24).default(12),
    /** How long an admin invitation link can be accepted. */
    ADMIN_INVITATION_TTL_HOURS: int(1, 30 * 24).default(72),
    /** Failed admin sign-ins allowed per account, and per client IP, in any 15 minutes (then 429). */
    ADMIN_SIGN_IN_FAILURES_PER_ACCOUNT: int(1, 1000).default(5),
    ADMIN_SIGN_IN_FAILURES_PER_IP: int(1, 100_000).default(20),
  })
  .superRefine(checkRetentionBounds);

/** Twilio (delivery): the API account, and the public URL Twilio calls back and signs. */
export const twilioConfigSchema = z.object({
  /** Another Twilio-compatible server (tests: the fake in platform/testing). */
  TWILIO_API_BASE_URL: z
    .string()
    .url()
    .default('https://api.twilio.com')
    .transform((v) => v.replace(/\/+$/, '')),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account SID (AC and 32 hex digits)'),
  TWILIO_AUTH_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  /** Base URL of the delivery service as Twilio reaches it: status callbacks and their signatures. */
  PUBLIC_BASE_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v), 'must be an http:// or https:// URL')
    .transform((v) => v.replace(/\/+$/, '')),
});

/** Development/test stand-ins; any other mode refuses to boot without real values, or with these. */
export const DEV_TWILIO = {
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'development-only-twilio-token',
  PUBLIC_BASE_URL: 'http://127.0.0.1:3001',
} as const;

export const deliveryConfigSchema = baseConfigSchema
  .merge(httpConfigSchema)
  .merge(twilioConfigSchema)
  .extend({
    PORT: port(3001),
    /** Platform operator key: manages short codes and sender routes. */
    OPERATOR_API_KEY: z.string().min(32, 'must be at least 32 characters'),
  });
export const billingConfigSchema = baseConfigSchema.merge(httpConfigSchema).extend({ PORT: port(3002) });
export const reportingConfigSchema = baseConfigSchema.merge(httpConfigSchema).extend({ PORT: port(3003) });
export const workerConfigSchema = baseConfigSchema.extend({
  WORKER_CONCURRENCY: int(1, 256).default(8),
  /**
   * The worker's Prometheus listener (GET /metrics, docs/decisions/0024); 0 = none. Compose gives each
   * worker one; several workers on one host need one port each.
   */
  METRICS_PORT: z.coerce
    .number({ invalid_type_error: 'must be a whole number from 0 to 65535' })
    .int('must be a whole number from 0 to 65535')
    .min(0, 'must be a whole number from 0 to 65535')
    .max(65535, 'must be a whole number from 0 to 65535')
    .default(0),
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
});

export const deliveryWorkerConfigSchema = workerConfigSchema.merge(twilioConfigSchema).extend({
  /** Messages per second per short code unless the code sets its own (carrier default ~100/s). */
  SHORT_CODE_RATE_PER_SECOND: int(1, 100_000).default(100),
  /** Messages per second per long code / alphanumeric sender unless the route sets its own. */
  LONG_CODE_RATE_PER_SECOND: int(1, 100_000).default(1),
  /** Voice `From` when neither the server nor the provider configured a caller ID (E.164). */
  TWILIO_VOICE_FROM: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number')
    .optional(),
  /** Twilio HTTP timeout; a timeout is a transient error (retried). */
  TWILIO_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /**
   * The delivery outbox (docs/decisions/0019): how often the sweeper looks (0 = never), and how old
   * a `queued` message with its code must be before it is enqueued again.
   */
  DELIVERY_SWEEP_INTERVAL_SECONDS: int(0, 3600).default(5),
  DELIVERY_SWEEP_AFTER_SECONDS: int(1, 600).default(5),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;
export type HttpConfig = BaseConfig & z.infer<typeof httpConfigSchema> & { PORT: number };
export type AuthProviderConfig = z.infer<typeof authProviderConfigSchema>;
export type WorkerConfig = z.infer<typeof workerConfigSchema>;
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;
export type DeliveryWorkerConfig = z.infer<typeof deliveryWorkerConfigSchema>;

/** Variables whose values never appear in logs or error messages. */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'OPERATOR_API_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'SECRETS_KEYS',
  'TWILIO_AUTH_TOKEN',
]);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** The modes in which the public development stand-ins may be used. */
const DEV_MODES: ReadonlySet<string> = new Set(['development', 'test']);

/**
 * Public stand-ins for secrets (published in this repository), by variable. An app adds its own
 * (billing: Stripe) through `loadConfig`'s third argument.
 */
export type DevStandIns = Readonly<Record<string, string>>;

const PLATFORM_DEV_STAND_INS: DevStandIns = {
  SECRETS_KEYS: DEV_SECRETS_KEYS,
  SECRETS_ACTIVE_KEY_ID: DEV_SECRETS_ACTIVE_KEY_ID,
  ...DEV_TWILIO,
};

/** Stand-ins that are secrets: a service outside development/test refuses to boot with one of them. */
const PUBLIC_SECRET_KEYS: ReadonlySet<string> = new Set([
  'SECRETS_KEYS',
  'TWILIO_AUTH_TOKEN',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
]);

/** The key material of DEV_SECRETS_KEYS: refused under any key id, alone or in a list. */
const DEV_KEY_MATERIAL = DEV_SECRETS_KEYS.slice(DEV_SECRETS_KEYS.indexOf(':') + 1);

function usesPublicSecret(key: string, value: string, standIns: DevStandIns): boolean {
  if (key === 'SECRETS_KEYS') return value.split(',').some((entry) => entry.trim().endsWith(`:${DEV_KEY_MATERIAL}`));
  return PUBLIC_SECRET_KEYS.has(key) && standIns[key] === value;
}

export function loadConfig<S extends z.ZodTypeAny>(
  schema: S,
  env: Env = process.env,
  appStandIns: DevStandIns = {},
): z.infer<S> {
  // Empty strings count as unset, so `FOO=` in an .env file falls back to the default.
  const cleaned: Env = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const standIns: DevStandIns = { ...PLATFORM_DEV_STAND_INS, ...appStandIns };
  const devMode = cleaned.NODE_ENV !== undefined && DEV_MODES.has(cleaned.NODE_ENV);
  const problems: string[] = [];
  if (devMode) {
    if (cleaned.SECRETS_KEYS === undefined) {
      cleaned.SECRETS_KEYS = DEV_SECRETS_KEYS;
      cleaned.SECRETS_ACTIVE_KEY_ID ??= DEV_SECRETS_ACTIVE_KEY_ID;
    }
    for (const [key, value] of Object.entries(standIns)) {
      if (key !== 'SECRETS_KEYS' && key !== 'SECRETS_ACTIVE_KEY_ID') cleaned[key] ??= value;
    }
  } else {
    // Issue 15 item 8: a public development secret outside an explicit development/test mode.
    for (const [key, value] of Object.entries(cleaned)) {
      if (value !== undefined && usesPublicSecret(key, value, standIns)) {
        problems.push(
          `${key}: is the public development value, allowed only with NODE_ENV=development or test; set a real secret`,
        );
      }
    }
  }
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    problems.unshift(
      ...parsed.error.issues.map((issue) => {
        const key = issue.path.join('.') || '(root)';
        const detail = issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message;
        return `${key}: ${detail}`;
      }),
    );
  }
  problems.push(...activeKeyProblems(cleaned));
  if (problems.length > 0 && cleaned.NODE_ENV === undefined) {
    problems.push(
      'NODE_ENV: is not set, so the service runs as production (no development stand-ins); on a developer machine set NODE_ENV=development',
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data as z.infer<S>;
}

/** Cross-field rule: the active key must be one of the listed keys. */
function activeKeyProblems(env: Env): string[] {
  const { SECRETS_KEYS: keys, SECRETS_ACTIVE_KEY_ID: active } = env;
  if (keys === undefined || active === undefined) return [];
  const parsed = parseKeyList(keys);
  if (parsed.problems.length > 0 || parsed.keys.has(active)) return [];
  return [`SECRETS_ACTIVE_KEY_ID: must be one of the key ids of SECRETS_KEYS (${[...parsed.keys.keys()].join(', ')})`];
}

/** A copy safe to log: sensitive values masked, URLs without credentials. */
export function describeConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => {
      if (!SENSITIVE_KEYS.has(k)) return [k, v];
      if (typeof v === 'string' && /^[a-z]+:\/\//.test(v)) {
        try {
          const u = new URL(v);
          u.username = u.username ? '***' : '';
          u.password = u.password ? '***' : '';
          return [k, u.toString()];
        } catch {
          return [k, '***'];
        }
      }
      return [k, '***'];
    }),
  );
}

/** Injection token for an app's validated config object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
