import { DomainError, NotFoundError, ValidationError } from '@twofold/platform/errors';

export enum UserErrorCode {
  UserNotFound = 'user_not_found',
  UserNameTaken = 'user_name_taken',
  DuplicateInRequest = 'duplicate_in_request',
  TooManyRows = 'too_many_rows',
}

export const UserErrors = {
  notFound: () => new NotFoundError(UserErrorCode.UserNotFound, 'The user'),
  userNameTaken: (userName: string) =>
    new DomainError(UserErrorCode.UserNameTaken, 'conflict', `A user named "${userName}" exists in this tenant.`, {
      field: 'userName',
    }),
  invalidPhone: (field: string, reason: string) => new ValidationError([{ field, problems: [reason] }]),
};
