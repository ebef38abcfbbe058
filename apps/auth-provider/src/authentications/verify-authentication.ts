import { Injectable } from '@nestjs/common';
import { AuthenticationSqlRepository } from '@twofold/authentication/data-access';
import { afterWrongCode, AuthenticationErrors, gateVerification } from '@twofold/authentication/domain';
import { matchAppPassword } from '@twofold/directory/domain';
import { Clock, DbService, isUuid } from '@twofold/platform/db';
import { KeyDerivation } from '../common/key-derivation';
import { AuthenticationCloser } from './authentication-closer';
import { AuthenticationGuards } from './authentication-guards';
import { AuthenticationView, Caller, VerifyInput, viewOf } from './authentication-view';
import { CodeDispatcher } from './code-dispatcher';
import { AppPasswordMatch } from './verifiers/method-verifier';
import { MethodVerifiers } from './verifiers/method-verifiers';

/** What a pass means for the user's lockout count (docs/decisions/0009), applied after commit. */
type Outcome = { userKey: string; success: boolean };

type VerifyPass =
  | { kind: 'done'; view: AuthenticationView; outcome: Outcome | null }
  | { kind: 'derive'; passwords: { id: string; passwordHash: string }[] };

/**
 * Verifies an answer (R12–R14, R17, R18, R26). An SMS/voice code whose user the start remembered is
 * one statement (docs/decisions/0028). Otherwise, with the authentication locked, the gate (closed,
 * wrong server, expired), the lockout, then the method's verifier; an approval or a final denial
 * closes the authentication and writes its one record in one statement, a wrong code with tries
 * left counts the attempt. COMMIT rides with the last statement.
 */
@Injectable()
export class VerifyAuthentication {
  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly guards: AuthenticationGuards,
    private readonly authentications: AuthenticationSqlRepository,
    private readonly verifiers: MethodVerifiers,
    private readonly closer: AuthenticationCloser,
    private readonly kdf: KeyDerivation,
    private readonly codes: CodeDispatcher,
  ) {}

  async run(caller: Caller, id: string, input: VerifyInput): Promise<AuthenticationView> {
    const quick = await this.codeInOneStatement(caller, id, input);
    if (quick) return quick;
    let matched: AppPasswordMatch | undefined;
    for (;;) {
      const pass = await this.pass(caller, id, input, matched);
      if (pass.kind === 'done') {
        const o = pass.outcome;
        if (o?.success) await this.guards.lockout.recordSuccess(o.userKey);
        else if (o) await this.guards.lockout.recordFailure(o.userKey, this.clock.now().getTime());
        return pass.view;
      }
      // R17: the app password's hashes are computed between two transactions, never while the
      // authentication's row lock (or a connection) is held, in the bounded pool (docs/decisions/0020).
      const candidates = pass.passwords;
      const code = input.code ?? '';
      matched = { id: await this.kdf.appPasswords.run(caller.tenantId, () => matchAppPassword(code, candidates)) };
    }
  }

  /**
   * SMS/voice in one statement, BEGIN and COMMIT pipelined around it (docs/decisions/0028): the
   * user's lockout is asked before, by the user the start remembered, so no row lock waits on Redis;
   * the statement checks the row is that user's. Null: take the two-step path (no remembered user,
   * another method, or a locked user, whom the two-step path answers exactly as before).
   */
  private async codeInOneStatement(
    caller: Caller,
    rawId: string,
    input: VerifyInput,
  ): Promise<AuthenticationView | null> {
    const id = rawId.toLowerCase();
    if (!isUuid(id)) return null;
    const userSubject = await this.guards.userOf(caller.tenantId, id);
    if (userSubject === null) return null;
    const userKey = AuthenticationGuards.userKey(caller.tenantId, userSubject);
    const now = this.clock.now();
    if ((await this.guards.lockout.peek(userKey, now.getTime())).locked) return null;
    const result = await this.db.inTenantSql(caller.tenantId, (scope) =>
      this.closer.closeByCode(scope, {
        id,
        now,
        callerServerId: caller.serverId,
        userSubject,
        codeHash: input.code ? this.codes.hash(input.code, id) : null,
      }),
    );
    if (!result) throw AuthenticationErrors.notFound();
    const { outcome, auth } = result;
    switch (outcome) {
      case 'fallback':
        return null;
      case 'closed':
      case 'wrong_server':
      case 'expired':
        return viewOf(auth);
      case 'success':
        await this.guards.lockout.recordSuccess(userKey);
        return viewOf(auth);
      case 'too_many_attempts':
        await this.guards.lockout.recordFailure(userKey, this.clock.now().getTime());
        return viewOf(auth);
      case 'invalid_code':
        await this.guards.lockout.recordFailure(userKey, this.clock.now().getTime());
        return viewOf(auth, { status: 'denied', reason: 'invalid_code', final: false });
    }
  }

  /**
   * One locked pass of a verification. An app password needs two: the first reads the candidate
   * hashes and releases the lock, the second (with the match) decides.
   */
  private pass(
    caller: Caller,
    id: string,
    input: VerifyInput,
    matched: AppPasswordMatch | undefined,
  ): Promise<VerifyPass> {
    return this.db.inTenantSql(caller.tenantId, async (scope): Promise<VerifyPass> => {
      const now = this.clock.now();
      const locked = await this.authentications.lock(scope, id);
      if (!locked) throw AuthenticationErrors.notFound();
      const { auth, record } = locked;
      const done = (view: AuthenticationView, outcome: Outcome | null = null): VerifyPass => ({
        kind: 'done',
        view,
        outcome,
      });
      const gate = gateVerification(auth, caller.serverId, now);
      if (gate.kind === 'closed') return done(viewOf(auth));
      if (gate.kind === 'deny')
        return done(viewOf(await this.closer.close(scope, auth, record, { status: gate.status, reason: gate.reason })));
      const userKey = AuthenticationGuards.userKey(caller.tenantId, auth.userId ?? auth.userName);
      const lockout = await this.guards.lockout.check(userKey, now.getTime());
      if (lockout.locked) throw AuthenticationErrors.userLockedOut(lockout.retryAfterSeconds);

      const check = await this.verifiers.for(auth.method).check(scope, auth, input, now, matched);
      if ('derive' in check) return { kind: 'derive', passwords: check.derive };
      if (check.ok) {
        const device = check.device ?? null;
        const approved = await this.closer.close(
          scope,
          { ...auth, deviceActivationId: device?.id ?? auth.deviceActivationId },
          record,
          { status: 'succeeded', reason: null },
          device?.token ?? null,
        );
        return done(viewOf(approved), { userKey, success: true });
      }
      if (check.final)
        return done(viewOf(await this.closer.close(scope, auth, record, { status: 'denied', reason: check.reason })));
      // A wrong answer with the authentication still open counts toward the lockout (docs/decisions/0009).
      const failure: Outcome = { userKey, success: false };
      const next = afterWrongCode(auth.attempts);
      if (next.final) {
        const denied = await this.closer.close(scope, auth, record, {
          status: 'denied',
          reason: next.reason,
          attempts: next.attempts,
        });
        return done(viewOf(denied), failure);
      }
      const updated = await this.authentications.update(scope, id, { attempts: next.attempts }, { last: true });
      return done(viewOf(updated, { status: 'denied', reason: 'invalid_code', final: false }), failure);
    });
  }
}
