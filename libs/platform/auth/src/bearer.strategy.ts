import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Strategy } from 'passport-http-bearer';
import { CREDENTIAL_VERIFIERS, CredentialVerifier, OPERATOR_KEY, Principal } from './principal';

const digest = (s: string) => createHash('sha256').update(s).digest();

@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  private readonly operatorDigest: Buffer | null;

  constructor(
    @Inject(CREDENTIAL_VERIFIERS) private readonly verifiers: CredentialVerifier[],
    @Inject(OPERATOR_KEY) operatorKey: string | null,
  ) {
    super();
    this.operatorDigest = operatorKey ? digest(operatorKey) : null;
  }

  async validate(token: string): Promise<Principal | false> {
    // Compare digests so the comparison is constant-time whatever the token's length.
    if (this.operatorDigest && timingSafeEqual(digest(token), this.operatorDigest)) return { kind: 'operator' };
    const verifier = this.verifiers.find((v) => token.startsWith(v.prefix));
    return (verifier && (await verifier.verify(token))) || false;
  }
}
