import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Strategy, VerifyFunction } from 'passport-http-bearer';
import { CredentialCache } from './credential-cache';
import { CREDENTIAL_VERIFIERS, CredentialVerifier, OPERATOR_KEY, Principal } from './principal';

const digest = (s: string) => createHash('sha256').update(s).digest();

type StrategyRequest = Parameters<Strategy<VerifyFunction>['authenticate']>[0];

/**
 * passport-http-bearer also takes `?access_token=` and a body field `access_token`; URLs end up in
 * logs, proxies and browser histories. Issue 15 item 2: a key counts only in `Authorization: Bearer`,
 * so the strategy sees the request's headers and nothing else.
 */
class HeaderOnlyBearer extends Strategy<VerifyFunction> {
  override authenticate(req: StrategyRequest, options?: object): void {
    super.authenticate({ headers: { authorization: req.headers?.authorization } } as StrategyRequest, options);
  }
}

@Injectable()
export class BearerStrategy extends PassportStrategy(HeaderOnlyBearer, 'bearer') {
  private readonly operatorDigest: Buffer | null;

  constructor(
    @Inject(CREDENTIAL_VERIFIERS) private readonly verifiers: CredentialVerifier[],
    @Inject(OPERATOR_KEY) operatorKey: string | null,
    private readonly cache: CredentialCache,
  ) {
    super();
    this.operatorDigest = operatorKey ? digest(operatorKey) : null;
  }

  async validate(token: string): Promise<Principal | false> {
    // Compare digests so the comparison is constant-time whatever the token's length.
    if (this.operatorDigest && timingSafeEqual(digest(token), this.operatorDigest)) return { kind: 'operator' };
    const verifier = this.verifiers.find((v) => token.startsWith(v.prefix));
    if (!verifier) return false;
    const cached = this.cache.get(token);
    if (cached) return cached;
    const principal = await verifier.verify(token);
    if (!principal) return false;
    if (principal.kind !== 'operator') this.cache.set(token, principal);
    return principal;
  }
}
