import { randomUUID } from 'node:crypto';
import {
  AuthenticationSqlRepository,
  StartContextCache,
  type NewAuthenticationRecord,
} from '@twofold/authentication/data-access';
import { UsageOutboxSqlRepository, UsageRelayRepository } from '@twofold/billing/data-access';
import {
  DeliveryOutcomeRepository,
  findMessageBySid,
  MessageRepository,
  MessageSqlRepository,
  SENDING_TRANSACTION,
  SendingSqlRepository,
} from '@twofold/delivery/data-access';
import { AuthenticatorSqlRepository, LicenseRepository, UserRepository } from '@twofold/directory/data-access';
import {
  Clock,
  type DbService,
  type SqlScope,
  type SqlTransactionOptions,
  type TenantScope,
} from '@twofold/platform/db';
import { DbMfaServerVerifier } from '@twofold/providers/data-access';
import { ApiKeyRepository, AuditLogRepository, DbApiKeyVerifier } from '@twofold/tenancy/data-access';
import { OathTokenAdminRepository, OathTokenSqlRepository } from '@twofold/tokens/data-access';
import type { HotPathFixture } from './fixture';

/**
 * Every statement on a hot path, produced by the real data-access code: each case calls the
 * repository methods a use case calls, with the arguments it would pass, in a transaction that is
 * rolled back. `DbService.tapStatements` records what went to PostgreSQL. The plan test
 * (hot-path-plans.test.ts) checks each statement's generic plan; the snapshot test writes each
 * one's text to its lib's `data-access/queries/*.sql`, so SQL changes show in review. A method
 * added to a hot repository without a case here fails the coverage test.
 */
export type HotPath =
  | 'credentials'
  | 'start'
  | 'verify'
  | 'resend'
  | 'get'
  | 'sweeper'
  | 'user deletion'
  | 'delivery worker'
  | 'delivery callback'
  | 'usage relay'
  | 'admin pages';

export interface CatalogContext {
  db: DbService;
  f: HotPathFixture;
  now: Date;
}

export interface HotStatementCase {
  path: HotPath;
  /** What the use case does with it, e.g. "lock the authentication with its record context". */
  what: string;
  /** The repository methods this case runs: `Class.method` of HOT_REPOSITORIES. */
  covers: string[];
  /** Platform-level statements (credential lookups, sweeps) run before any tenant is known. */
  tenantScoped: boolean;
  run(ctx: CatalogContext): Promise<unknown>;
}

/** The repositories whose every method is on a hot path, with the file their SQL lives in. */
export const HOT_REPOSITORIES: { type: abstract new (...args: never[]) => unknown; source: string }[] = [
  { type: AuthenticationSqlRepository, source: 'libs/authentication/data-access/src/authentication-sql.repository.ts' },
  { type: AuthenticatorSqlRepository, source: 'libs/directory/data-access/src/authenticator.sql-repository.ts' },
  { type: OathTokenSqlRepository, source: 'libs/tokens/data-access/src/oath-token.sql-repository.ts' },
  { type: UsageOutboxSqlRepository, source: 'libs/billing/data-access/src/usage-outbox.sql-repository.ts' },
  { type: UsageRelayRepository, source: 'libs/billing/data-access/src/usage-relay.repository.ts' },
  { type: MessageSqlRepository, source: 'libs/delivery/data-access/src/message.sql-repository.ts' },
  { type: SendingSqlRepository, source: 'libs/delivery/data-access/src/sending.sql-repository.ts' },
  { type: MessageRepository, source: 'libs/delivery/data-access/src/message.repository.ts' },
  { type: DeliveryOutcomeRepository, source: 'libs/delivery/data-access/src/delivery-outcome.repository.ts' },
];

/**
 * Other catalogued statements: the credential and SID lookups, and the admin pages that list a
 * tenant's rows (issue 21 item 4: a page costs a page, whatever the tenant's history).
 */
export const HOT_FUNCTIONS: { name: string; source: string }[] = [
  { name: 'UserRepository.list', source: 'libs/directory/data-access/src/user.repository.ts' },
  { name: 'LicenseRepository.listAssignments', source: 'libs/directory/data-access/src/license.repository.ts' },
  { name: 'AuditLogRepository.list', source: 'libs/tenancy/data-access/src/audit-log.repository.ts' },
  { name: 'ApiKeyRepository.list', source: 'libs/tenancy/data-access/src/api-key.repository.ts' },
  { name: 'OathTokenAdminRepository.list', source: 'libs/tokens/data-access/src/oath-token-admin.repository.ts' },
  { name: 'DbApiKeyVerifier.verify', source: 'libs/tenancy/data-access/src/api-key.repository.ts' },
  { name: 'DbMfaServerVerifier.verify', source: 'libs/providers/data-access/src/mfa-server.verifier.ts' },
  { name: 'findMessageBySid', source: 'libs/delivery/data-access/src/message.repository.ts' },
];

const authentications = new AuthenticationSqlRepository();
/**
 * The same repository with the tenant part of the start context cached (docs/decisions/0029): a feed
 * that is always listening, so the case below reads the user's part alone.
 */
const tenantParts = new StartContextCache(60_000, { listening: true, subscribe: () => undefined });
const authenticationsCached = new AuthenticationSqlRepository(tenantParts);
const authenticators = new AuthenticatorSqlRepository();
const tokens = new OathTokenSqlRepository();
const usageOutbox = new UsageOutboxSqlRepository();
const messagesSql = new MessageSqlRepository();
const sending = new SendingSqlRepository();
const messages = new MessageRepository();
const outcomes = new DeliveryOutcomeRepository();

/** A page in the middle of a week-old history: what the admin pages are asked after page one. */
const midHistory = (now: Date) => ({
  at: new Date(now.getTime() - 7 * 86_400_000),
  id: '80000000-0000-4000-8000-000000000000',
});
const PAGE = { limit: 50 };

/** Thrown to roll a case's transaction back: the catalogue leaves the fixture as it found it. */
class RollBack extends Error {}

async function inSql(
  ctx: CatalogContext,
  work: (scope: SqlScope) => Promise<unknown>,
  options: SqlTransactionOptions = {},
): Promise<void> {
  await ctx.db
    .inTenantSql(
      ctx.f.tenantId,
      async (scope) => {
        await work(scope);
        throw new RollBack();
      },
      options,
    )
    .catch((error: unknown) => {
      if (!(error instanceof RollBack)) throw error;
    });
}

async function inPrisma(ctx: CatalogContext, work: (scope: TenantScope) => Promise<unknown>): Promise<void> {
  await ctx.db
    .inTenant(ctx.f.tenantId, async (scope) => {
      await work(scope);
      throw new RollBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RollBack)) throw error;
    });
}

function record(ctx: CatalogContext, authenticationId: string): NewAuthenticationRecord {
  return {
    authenticationId,
    providerId: ctx.f.providerId,
    occurredAt: ctx.now,
    uniqueId: ctx.f.userName,
    userId: ctx.f.userId,
    serverId: null,
    firstName: 'Alice',
    lastName: 'Liddell',
    email: ctx.f.userName,
    phone: ctx.f.phone,
    deviceToken: null,
    method: 'sms',
    mode: 'one_way_sms',
    result: 'success',
    denyReason: null,
    serverName: null,
    serverIp: null,
    clientIp: '198.51.100.7',
    dataRegion: 'eu',
    deliveryStatus: 'sent',
    correlationId: 'catalog',
  };
}

export const HOT_STATEMENTS: HotStatementCase[] = [
  {
    path: 'credentials',
    what: 'tenant API key lookup (every tenant request)',
    covers: ['DbApiKeyVerifier.verify'],
    tenantScoped: false,
    run: ({ db, f }) => new DbApiKeyVerifier(db).verify(f.apiKey),
  },
  {
    path: 'credentials',
    what: 'MFA server credential lookup and its last-seen write (every server request)',
    covers: ['DbMfaServerVerifier.verify'],
    tenantScoped: false,
    run: ({ db, f }) => new DbMfaServerVerifier(db, new Clock()).verify(f.serverCredential),
  },
  {
    path: 'start',
    what: 'context read by user id (tenant, policy, user, methods, devices, linked providers)',
    covers: ['AuthenticationSqlRepository.startContext', 'AuthenticationSqlRepository.fullContext'],
    tenantScoped: true,
    run: (ctx) =>
      inSql(ctx, (scope) =>
        authentications.startContext(scope, { userId: ctx.f.userId, providerId: null, serverId: null }),
      ),
  },
  {
    path: 'start',
    what: 'context read by user name, for a named provider and MFA server',
    covers: ['AuthenticationSqlRepository.startContext', 'AuthenticationSqlRepository.fullContext'],
    tenantScoped: true,
    run: (ctx) =>
      inSql(ctx, (scope) =>
        authentications.startContext(scope, {
          userName: ctx.f.userName,
          providerId: ctx.f.providerId,
          serverId: ctx.f.serverId,
        }),
      ),
  },
  {
    path: 'start',
    what: "context read with the tenant's part cached: the user, their methods and active devices only",
    covers: ['AuthenticationSqlRepository.startContext', 'AuthenticationSqlRepository.userContext'],
    tenantScoped: true,
    run: (ctx) =>
      inSql(ctx, (scope) => {
        const q = { userName: ctx.f.userName, providerId: ctx.f.providerId, serverId: ctx.f.serverId };
        tenantParts.set(
          scope.tenantId,
          q.providerId,
          q.serverId,
          {
            tier: 'standard',
            dataRegion: 'us',
            appPasswordsAllowed: false,
            policy: [],
            providers: [],
            server: null,
            deliveryCountries: [],
            smsVelocityPerHour: null,
            routedCountries: [],
          },
          tenantParts.epoch,
        );
        return authenticationsCached.startContext(scope, q);
      }),
  },
  {
    path: 'start',
    what: 'one statement: the authentication, its usage row and its queued message',
    covers: [
      'AuthenticationSqlRepository.create',
      'UsageOutboxSqlRepository.attachAuthentication',
      'MessageSqlRepository.attachQueued',
    ],
    tenantScoped: true,
    run: (ctx) =>
      inSql(ctx, (scope) => {
        const id = randomUUID();
        usageOutbox.attachAuthentication(scope, {
          authenticationId: id,
          providerId: ctx.f.providerId,
          occurredAt: ctx.now,
        });
        messagesSql.attachQueued(scope, {
          id: randomUUID(),
          authenticationId: id,
          providerId: ctx.f.providerId,
          userId: ctx.f.userId,
          channel: 'sms',
          toPhone: ctx.f.phone,
          country: 'US',
          code: { keyId: 'k1', ciphertext: Buffer.alloc(34, 7).toString('base64') },
          callerId: null,
        });
        return authentications.create(
          scope,
          {
            id,
            providerId: ctx.f.providerId,
            serverId: null,
            userId: ctx.f.userId,
            userName: ctx.f.userName,
            method: 'sms',
            codeHash: 'hash',
            sendsCount: 1,
            phone: ctx.f.phone,
            deviceActivationId: null,
            expiresAt: new Date(ctx.now.getTime() + 180_000),
            clientIp: null,
            correlationId: 'catalog',
          },
          {},
        );
      }),
  },
  {
    path: 'start',
    what: 'the record of an authentication denied at its start (R17, R18)',
    covers: ['AuthenticationSqlRepository.writeRecord'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authentications.writeRecord(scope, record(ctx, randomUUID()))),
  },
  {
    path: 'verify',
    what: 'lock the authentication, with what its record needs and the latest delivery status',
    covers: ['AuthenticationSqlRepository.lock'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authentications.lock(scope, ctx.f.authenticationId)),
  },
  {
    path: 'verify',
    what: 'count a wrong code',
    covers: ['AuthenticationSqlRepository.update'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authentications.update(scope, ctx.f.authenticationId, { attempts: 1 })),
  },
  {
    path: 'verify',
    what: 'close the authentication and write its record, in one statement',
    covers: ['AuthenticationSqlRepository.close'],
    tenantScoped: true,
    run: (ctx) =>
      inSql(ctx, (scope) =>
        authentications.close(
          scope,
          ctx.f.authenticationId,
          { status: 'succeeded', completedAt: ctx.now },
          record(ctx, ctx.f.authenticationId),
        ),
      ),
  },
  {
    path: 'verify',
    what: 'SMS/voice in one statement: lock, gate, compare, close and write the record (the right code)',
    covers: ['AuthenticationSqlRepository.verifyCode'],
    tenantScoped: true,
    run: (ctx) =>
      inSql(ctx, (scope) =>
        authentications.verifyCode(scope, {
          id: ctx.f.authenticationId,
          now: ctx.now,
          callerServerId: null,
          userSubject: ctx.f.userId,
          codeHash: 'hash',
          maxAttempts: 5,
        }),
      ),
  },
  {
    path: 'verify',
    what: 'SMS/voice in one statement: lock, gate, compare and count a wrong code',
    covers: ['AuthenticationSqlRepository.verifyCode'],
    tenantScoped: true,
    run: (ctx) =>
      inSql(ctx, (scope) =>
        authentications.verifyCode(scope, {
          id: ctx.f.authenticationId,
          now: ctx.now,
          callerServerId: null,
          userSubject: ctx.f.userId,
          codeHash: 'wrong',
          maxAttempts: 5,
        }),
      ),
  },
  {
    path: 'verify',
    what: "the user's active authenticator devices (app code)",
    covers: ['AuthenticatorSqlRepository.activeDeviceSecrets'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authenticators.activeDeviceSecrets(scope, ctx.f.userId)),
  },
  {
    path: 'verify',
    what: 'use a TOTP step of a device (replay refused)',
    covers: ['AuthenticatorSqlRepository.useDeviceStep'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authenticators.useDeviceStep(scope, ctx.f.deviceId, 59_000_000n)),
  },
  {
    path: 'verify',
    what: 'the device of an app notification, by its token (R18)',
    covers: ['AuthenticatorSqlRepository.deviceByToken'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authenticators.deviceByToken(scope, ctx.f.userId, ctx.f.deviceToken)),
  },
  {
    path: 'verify',
    what: "the tenant's app password setting and the user's app password hashes (R17; hashed after the transaction)",
    covers: ['AuthenticatorSqlRepository.appPasswordCandidates'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authenticators.appPasswordCandidates(scope, ctx.f.userId, 10)),
  },
  {
    path: 'verify',
    what: 'mark the matched app password used, if it and the tenant setting still allow it (R17)',
    covers: ['AuthenticatorSqlRepository.useAppPassword'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authenticators.useAppPassword(scope, ctx.f.appPasswordId, ctx.now)),
  },
  {
    path: 'verify',
    what: "the user's OATH tokens (R25)",
    covers: ['OathTokenSqlRepository.assignedSecrets'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => tokens.assignedSecrets(scope, ctx.f.userId, ctx.now)),
  },
  {
    path: 'verify',
    what: 'use a TOTP step of an OATH token',
    covers: ['OathTokenSqlRepository.useStep'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => tokens.useStep(scope, ctx.f.oathTokenId, 59_000_000n)),
  },
  {
    path: 'verify',
    what: 'move an HOTP counter forward',
    covers: ['OathTokenSqlRepository.advanceCounter'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => tokens.advanceCounter(scope, ctx.f.oathTokenId, 0n, 3n)),
  },
  {
    path: 'resend',
    what: 'a new code and phone on the same authentication (R13, R14)',
    covers: ['AuthenticationSqlRepository.update'],
    tenantScoped: true,
    run: (ctx) =>
      inSql(ctx, (scope) =>
        authentications.update(scope, ctx.f.authenticationId, {
          codeHash: 'hash2',
          sendsCount: 2,
          phone: ctx.f.phone,
          method: 'voice',
        }),
      ),
  },
  {
    path: 'get',
    what: 'read an authentication',
    covers: ['AuthenticationSqlRepository.find'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authentications.find(scope, ctx.f.authenticationId)),
  },
  {
    path: 'get',
    what: "an SMS/voice authentication's delivery outcomes (docs/decisions/0019)",
    covers: ['MessageSqlRepository.ofAuthentication'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => messagesSql.ofAuthentication(scope, ctx.f.authenticationId)),
  },
  {
    path: 'sweeper',
    what: 'pending authentications past their expiry, across tenants',
    covers: ['AuthenticationSqlRepository.expiredPending'],
    tenantScoped: false,
    run: ({ db }) => authentications.expiredPending(db, 100),
  },
  {
    path: 'user deletion',
    what: "lock the user's pending authentications, each with what its record needs (R26)",
    covers: ['AuthenticationSqlRepository.lockPendingOfUser'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => authentications.lockPendingOfUser(scope, ctx.f.userId)),
  },
  {
    path: 'delivery worker',
    what: "a batch's messages, the tenant's delivery settings and the short codes",
    covers: ['SendingSqlRepository.loadForSending'],
    tenantScoped: true,
    run: (ctx) =>
      inSql(ctx, (scope) => sending.loadForSending(scope, [ctx.f.messageId, randomUUID()]), SENDING_TRANSACTION),
  },
  {
    path: 'delivery worker',
    what: 'sender routes of countries without a short-code pool',
    covers: ['SendingSqlRepository.enabledRoutes'],
    tenantScoped: true,
    run: (ctx) => inSql(ctx, (scope) => sending.enabledRoutes(scope, ['GB', 'DE']), SENDING_TRANSACTION),
  },
  {
    path: 'delivery worker',
    what: "a batch's messages marked sent",
    covers: ['SendingSqlRepository.markSent'],
    tenantScoped: true,
    run: (ctx) =>
      inSql(
        ctx,
        (scope) =>
          sending.markSent(scope, [
            {
              id: ctx.f.messageId,
              twilioSid: `${ctx.f.twilioSid}x`,
              sender: '97671',
              senderKind: 'short_code',
              at: ctx.now,
            },
          ]),
        SENDING_TRANSACTION,
      ),
  },
  {
    path: 'delivery worker',
    what: 'a send that can never succeed, the voice fallback queued, the record told (R26)',
    covers: [
      'MessageRepository.markFinal',
      'MessageRepository.createQueued',
      'MessageRepository.latestIdOf',
      'DeliveryOutcomeRepository.recordOutcome',
    ],
    tenantScoped: true,
    run: (ctx) =>
      inPrisma(ctx, async (scope) => {
        await messages.markFinal(scope, ctx.f.messageId, 'failed', '21610', 'opted out');
        await messages.createQueued(scope, {
          id: randomUUID(),
          authenticationId: ctx.f.authenticationId,
          providerId: ctx.f.providerId,
          userId: ctx.f.userId,
          channel: 'voice',
          toPhone: ctx.f.phone,
          country: 'US',
          code: { keyId: 'k1', ciphertext: Buffer.alloc(34, 7).toString('base64') },
          callerId: null,
        });
        await messages.latestIdOf(scope, ctx.f.authenticationId);
        await outcomes.recordOutcome(scope, ctx.f.authenticationId, 'failed');
      }),
  },
  {
    path: 'delivery worker',
    what: "the tenant's delivery settings (single-message path)",
    covers: ['DeliveryOutcomeRepository.settings', 'MessageRepository.find'],
    tenantScoped: true,
    run: (ctx) =>
      inPrisma(ctx, async (scope) => {
        await outcomes.settings(scope);
        await messages.find(scope, ctx.f.messageId);
      }),
  },
  {
    path: 'delivery callback',
    what: 'the message of a carrier callback, by its SID, before any tenant is known',
    covers: ['findMessageBySid'],
    tenantScoped: false,
    run: ({ db, f }) => findMessageBySid(db, f.twilioSid),
  },
  {
    path: 'delivery callback',
    what: 'apply a status (event row, forward-only update) and tell the record',
    covers: ['MessageRepository.applyStatus'],
    tenantScoped: true,
    run: (ctx) =>
      inPrisma(ctx, (scope) =>
        messages.applyStatus(
          scope,
          ctx.f.messageId,
          { status: 'delivered', providerStatus: 'delivered', errorCode: null, twilioSid: ctx.f.twilioSid },
          ctx.now,
        ),
      ),
  },
  {
    path: 'usage relay',
    what: 'tenants with usage to report, across tenants',
    covers: ['UsageRelayRepository.pendingTenants'],
    tenantScoped: false,
    run: ({ db }) => new UsageRelayRepository(db).pendingTenants(100),
  },
  {
    path: 'usage relay',
    what: 'usage rows still pending long after they occurred (the stale-usage alert)',
    covers: ['UsageRelayRepository.stalePending'],
    tenantScoped: false,
    run: ({ db, now }) => new UsageRelayRepository(db).stalePending(new Date(now.getTime() - 12 * 3600_000)),
  },
  {
    path: 'usage relay',
    what: "claim a tenant's pending usage rows and mark them reported, skipped or failed",
    covers: [
      'UsageRelayRepository.claim',
      'UsageRelayRepository.markReported',
      'UsageRelayRepository.markSkipped',
      'UsageRelayRepository.markFailed',
      'UsageRelayRepository.markRetry',
    ],
    tenantScoped: true,
    run: (ctx) =>
      inPrisma(ctx, async (scope) => {
        const relay = new UsageRelayRepository(ctx.db);
        await relay.claim(scope, 100, ctx.now, new Date(ctx.now.getTime() + 300_000));
        const row = { id: ctx.f.usageId, periodStart: ctx.f.usagePeriodStart };
        await relay.markRetry(scope, [{ ...row, error: 'catalog' }]);
        await relay.markFailed(scope, [{ ...row, error: 'catalog' }], ctx.now);
        await relay.markSkipped(scope, [{ ...row, reason: 'free_tier' }]);
        await relay.markReported(scope, [{ ...row, identifier: 'catalog' }], ctx.now);
      }),
  },
  {
    path: 'usage relay',
    what: 'usage rows Stripe refused for good, across tenants (the failed-usage alert, reconcile)',
    covers: ['UsageRelayRepository.failedRows'],
    tenantScoped: false,
    run: ({ db }) => new UsageRelayRepository(db).failedRows(1_000),
  },
  {
    path: 'usage relay',
    what: "an operator retries or voids a tenant's failed usage row",
    covers: ['UsageRelayRepository.retryFailed', 'UsageRelayRepository.voidFailed'],
    tenantScoped: true,
    run: (ctx) =>
      inPrisma(ctx, async (scope) => {
        const relay = new UsageRelayRepository(ctx.db);
        await relay.retryFailed(scope, ctx.f.usageId);
        await relay.voidFailed(scope, ctx.f.usageId);
      }),
  },
  {
    path: 'admin pages',
    what: 'users, first page and a page deep in the list',
    covers: ['UserRepository.list'],
    tenantScoped: true,
    run: (ctx) =>
      inPrisma(ctx, async (scope) => {
        await new UserRepository().list(scope, { at: ctx.now }, PAGE);
        await new UserRepository().list(scope, { at: ctx.now }, { ...PAGE, cursor: midHistory(ctx.now) });
      }),
  },
  {
    path: 'admin pages',
    what: "a license pool's assignments, a page deep",
    covers: ['LicenseRepository.listAssignments'],
    tenantScoped: true,
    run: (ctx) =>
      inPrisma(ctx, (scope) =>
        new LicenseRepository().listAssignments(scope, ctx.f.licensePoolId, { ...PAGE, cursor: midHistory(ctx.now) }),
      ),
  },
  {
    path: 'admin pages',
    what: 'the audit log, a page deep, and filtered by a rare action',
    covers: ['AuditLogRepository.list'],
    tenantScoped: true,
    run: (ctx) =>
      inPrisma(ctx, async (scope) => {
        await new AuditLogRepository().list(scope, {}, { ...PAGE, cursor: midHistory(ctx.now) });
        await new AuditLogRepository().list(scope, { action: 'api_key.revoke' }, PAGE);
      }),
  },
  {
    path: 'admin pages',
    what: 'API keys, first page',
    covers: ['ApiKeyRepository.list'],
    tenantScoped: true,
    run: (ctx) => inPrisma(ctx, (scope) => new ApiKeyRepository().list(scope, PAGE)),
  },
  {
    path: 'admin pages',
    what: 'OATH tokens on the shelf (unassigned), a page deep',
    covers: ['OathTokenAdminRepository.list'],
    tenantScoped: true,
    run: (ctx) =>
      inPrisma(ctx, (scope) =>
        new OathTokenAdminRepository().list(scope, { assigned: false }, { ...PAGE, cursor: midHistory(ctx.now) }),
      ),
  },
];
