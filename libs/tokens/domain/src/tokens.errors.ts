import { DomainError, NotFoundError } from '@twofold/platform/errors';

/** Codes of the OATH token domain (R25). File-level import failures are 400s; the rest are per key. */
export enum TokenErrorCode {
  OathTokenNotFound = 'oath_token_not_found',
  OathTokenAlreadyAssigned = 'oath_token_already_assigned',
  OathTokenNotAssigned = 'oath_token_not_assigned',
  ImportUnreadable = 'oath_import_unreadable',
  ImportEmpty = 'oath_import_empty',
  ImportTooManyRows = 'oath_import_too_many_rows',
  PskcUnsafeXml = 'pskc_unsafe_xml',
  PskcInvalid = 'pskc_invalid',
  PskcKeyRequired = 'pskc_key_required',
  PskcKeyDerivationInvalid = 'pskc_key_derivation_invalid',
  PskcUnsupportedEncryption = 'pskc_unsupported_encryption',
  PskcMacInvalid = 'pskc_mac_invalid',
  PskcDecryptionFailed = 'pskc_decryption_failed',
}

/** Why one row or key was not imported (the `reason` of its result). */
export type KeyRejection =
  | 'not_otp_key'
  | 'unsupported_algorithm'
  | 'no_secret'
  | 'cannot_decrypt'
  | 'invalid_secret'
  | 'weak_secret'
  | 'missing_serial'
  | 'invalid_digits'
  | 'invalid_interval'
  | 'invalid_counter'
  | 'invalid_row'
  | 'expired'
  | 'duplicate_in_file'
  | 'already_imported'
  | 'user_not_found';

const invalid = (code: TokenErrorCode, message: string) => new DomainError(code, 'invalid', message);

export const TokenErrors = {
  notFound: () => new NotFoundError(TokenErrorCode.OathTokenNotFound, 'The OATH token'),
  alreadyAssigned: () =>
    new DomainError(
      TokenErrorCode.OathTokenAlreadyAssigned,
      'conflict',
      'The token is assigned to another user. Unassign it first.',
    ),
  notAssigned: () =>
    new DomainError(TokenErrorCode.OathTokenNotAssigned, 'conflict', 'The token is not assigned to a user.'),
  unreadable: (message: string) => invalid(TokenErrorCode.ImportUnreadable, message),
  empty: () => invalid(TokenErrorCode.ImportEmpty, 'The file holds no token.'),
  tooManyRows: (max: number) =>
    invalid(TokenErrorCode.ImportTooManyRows, `A file may hold at most ${max} tokens; split it.`),
  unsafeXml: (message: string) => invalid(TokenErrorCode.PskcUnsafeXml, message),
  pskcInvalid: (message: string) => invalid(TokenErrorCode.PskcInvalid, message),
  keyRequired: (what: 'preSharedKey' | 'password') =>
    invalid(
      TokenErrorCode.PskcKeyRequired,
      what === 'password'
        ? 'The file is encrypted with a password-derived key (PBKDF2): send `password`.'
        : 'The file is encrypted with a pre-shared key: send `preSharedKey` (hex).',
    ),
  keyDerivationInvalid: (message: string) => invalid(TokenErrorCode.PskcKeyDerivationInvalid, message),
  unsupportedEncryption: (message: string) => invalid(TokenErrorCode.PskcUnsupportedEncryption, message),
  macInvalid: (message: string) => invalid(TokenErrorCode.PskcMacInvalid, message),
  decryptionFailed: () =>
    invalid(
      TokenErrorCode.PskcDecryptionFailed,
      'The file does not decrypt with the given pre-shared key or password.',
    ),
};
