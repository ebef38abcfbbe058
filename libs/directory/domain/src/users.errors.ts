import type { PhoneRefusalReason } from '@twofold/delivery/contracts';
import { DomainError, NotFoundError, ValidationError } from '@twofold/platform/errors';
import type { PhoneResult } from './user';

export enum UserErrorCode {
  UserNotFound = 'user_not_found',
  UserNameTaken = 'user_name_taken',
  DuplicateInRequest = 'duplicate_in_request',
  TooManyRows = 'too_many_rows',
  PhoneNumberNotAllowed = 'phone_number_not_allowed',
}

export const UserErrors = {
  notFound: () => new NotFoundError(UserErrorCode.UserNotFound, 'The user'),
  userNameTaken: (userName: string) =>
    new DomainError(UserErrorCode.UserNameTaken, 'conflict', `A user named "${userName}" exists in this tenant.`, {
      field: 'userName',
    }),
  invalidPhone: (field: string, reason: string) => new ValidationError([{ field, problems: [reason] }]),
  /** A number of a toll-fraud class (docs/decisions/0019): 400 with the class as `reason`. */
  phoneNotAllowed: (field: string, reason: PhoneRefusalReason, message: string) =>
    new DomainError(UserErrorCode.PhoneNumberNotAllowed, 'invalid', message, { field, reason }),
  /** The one place a normalised number becomes an answer: refused class, invalid, or the E.164. */
  phoneOrThrow: (field: string, result: PhoneResult): string => {
    if (result.ok) return result.e164;
    if (result.refusal) throw UserErrors.phoneNotAllowed(field, result.refusal, result.reason);
    throw UserErrors.invalidPhone(field, result.reason);
  },
};
