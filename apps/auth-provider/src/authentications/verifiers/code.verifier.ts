import { Injectable } from '@nestjs/common';
import { AuthenticationRow } from '@twofold/authentication/data-access';
import { CodeDispatcher } from '../code-dispatcher';
import { VerifyInput } from '../authentication-view';
import { Check, MethodVerifier, WRONG } from './method-verifier';

/** sms, voice (R13): the code sent, compared by its keyed hash in constant time. */
@Injectable()
export class SentCodeVerifier implements MethodVerifier {
  constructor(private readonly codes: CodeDispatcher) {}

  check(_scope: unknown, auth: AuthenticationRow, input: VerifyInput): Promise<Check> {
    return Promise.resolve(this.codes.matches(input.code, auth.id, auth.codeHash) ? { ok: true } : WRONG);
  }
}
