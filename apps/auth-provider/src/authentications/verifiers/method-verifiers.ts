import { Injectable } from '@nestjs/common';
import { AuthMethod } from '@twofold/directory/contracts';
import { AppCodeVerifier } from './app-code.verifier';
import { AppPasswordVerifier } from './app-password.verifier';
import { SentCodeVerifier } from './code.verifier';
import { MethodVerifier } from './method-verifier';
import { OathTokenVerifier } from './oath-token.verifier';
import { PushVerifier } from './push.verifier';

/** One verifier per method (R11); the record type makes a new method without a verifier a compile error. */
@Injectable()
export class MethodVerifiers {
  private readonly byMethod: Record<AuthMethod, MethodVerifier>;

  constructor(
    sentCode: SentCodeVerifier,
    appCode: AppCodeVerifier,
    oathToken: OathTokenVerifier,
    appPassword: AppPasswordVerifier,
    push: PushVerifier,
  ) {
    this.byMethod = {
      sms: sentCode,
      voice: sentCode,
      app_code: appCode,
      oath_token: oathToken,
      app_password: appPassword,
      app_notification: push,
    };
  }

  for(method: AuthMethod): MethodVerifier {
    return this.byMethod[method];
  }
}

export const METHOD_VERIFIERS = [
  MethodVerifiers,
  SentCodeVerifier,
  AppCodeVerifier,
  OathTokenVerifier,
  AppPasswordVerifier,
  PushVerifier,
];
