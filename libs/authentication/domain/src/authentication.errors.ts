import { DomainError } from '@twofold/platform/errors';

export enum AuthenticationErrorCode {
  InvalidBase32 = 'invalid_base32',
}

/** A secret typed or imported as base32 cannot be decoded. The message never quotes the input (it is a seed). */
export class InvalidBase32Error extends DomainError {
  constructor(reason: string) {
    super(AuthenticationErrorCode.InvalidBase32, 'invalid', `The secret is not valid base32: ${reason}.`);
  }
}
