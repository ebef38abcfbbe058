import type { PhoneRefusalReason } from '@twofold/delivery/contracts';
import { DomainError, NotFoundError, ValidationError } from '@twofold/platform/errors';
import type { PhoneResult } from './user';

export enum UserErrorCode {
  UserNotFound = 'user_not_found',
  UserNameTaken = 'user_name_taken',
  DuplicateInRequest = 'duplicate_in_request',
  TooManyRows = 'too_many_rows',
  PhoneNumberNotAllowed = 'phone_number_not_allowed',
  ErasureRateLimited = 'erasure_rate_limited',
}

/**
 * Erasures a tenant may ask for in any minute (docs/decisions/0025). One erasure is a transaction of
 * up to 120 s that reads the tenant's audit entries and rewrites a person's records across months:
 * a loop of them would hold connections and locks that sign-ins need. A backlog of 10,000 people
 * still clears in under three hours.
 */
export const ERASURE_LIMIT = { limit: 60, windowMs: 60_000 } as const;

export const UserErrors = {
  notFound: () => new NotFoundError(UserErrorCode.UserNotFound, 'The user'),
  userNameTaken: (userName: string) =>
    new DomainError(UserErrorCode.UserNameTaken, 'conflict', `A user named "${userName}" exists in this tenant.`, {
      field: 'userName',
    }),
  /** 429 with Retry-After: the tenant asked for more than ERASURE_LIMIT erasures in a minute. */
  erasureRateLimited: (retryAfterSeconds: number) =>
    new DomainError(
      UserErrorCode.ErasureRateLimited,
      'rate_limited',
      `Too many erasures for this tenant in a minute (at most ${ERASURE_LIMIT.limit}); try again in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    ),
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
