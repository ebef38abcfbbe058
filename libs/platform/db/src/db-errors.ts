import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import { DatabaseError } from 'pg';
import { Prisma } from './generated/prisma/client';

interface DriverCause {
  originalCode?: string;
  originalMessage?: string;
}

/** A `pg` DatabaseError, as `inTenantSql` sees it (no Prisma wrapping). */
function isPgDatabaseError(error: unknown): error is DatabaseError & { code: string } {
  return error instanceof DatabaseError && typeof error.code === 'string';
}

/** PostgreSQL's SQLSTATE and message, however Prisma/adapter-pg wrapped the error (or plain `pg`). */
function postgresFailure(error: unknown): { sqlState?: string; message?: string } {
  if (isPgDatabaseError(error)) return { sqlState: error.code, message: error.message };
  const cause = (error as { cause?: DriverCause } | null)?.cause;
  return { sqlState: cause?.originalCode, message: cause?.originalMessage };
}

const RULE_CODE = /^[a-z][a-z0-9_]{2,63}$/;

/**
 * Database failures that a client caused become domain errors; anything else stays as it is and
 * ends as a 500 with a correlation id. Rule triggers raise SQLSTATE 23514 with the domain error
 * code as the message (e.g. `billing_model_immutable`, `license_seats_exceeded`).
 */
export function mapDbError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const pgFailure = postgresFailure(error);
  if (pgFailure.sqlState === '23514' && pgFailure.message && RULE_CODE.test(pgFailure.message)) {
    return new DomainError(pgFailure.message, 'conflict', `The change breaks the rule "${pgFailure.message}".`);
  }
  if (isPgDatabaseError(error)) {
    if (pgFailure.sqlState === '57014')
      return new DomainError(
        CommonErrorCode.Unavailable,
        'unavailable',
        'The database is too busy to complete this request in time; nothing was changed. Retry later.',
      );
    if (pgFailure.sqlState === '23505')
      return new DomainError(CommonErrorCode.Conflict, 'conflict', 'An object with the same unique value exists.');
    if (pgFailure.sqlState === '23503')
      return new DomainError(CommonErrorCode.Conflict, 'conflict', 'The object is referenced by or refers to another.');
    return error;
  }
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    switch (error.code) {
      case 'P2002':
        return new DomainError(CommonErrorCode.Conflict, 'conflict', 'An object with the same unique value exists.', {
          fields: (error.meta?.target as string[] | undefined) ?? undefined,
        });
      case 'P2025':
        return new DomainError(CommonErrorCode.NotFound, 'not_found', 'The object was not found.');
      case 'P2024': // no connection from the pool in time
      case 'P2028': // the transaction outlived its timeout, or could not start
        return new DomainError(
          CommonErrorCode.Unavailable,
          'unavailable',
          'The database is too busy to complete this request in time; nothing was changed. Retry later.',
        );
      case 'P2003':
        return new DomainError(
          CommonErrorCode.Conflict,
          'conflict',
          'The object is referenced by or refers to another.',
        );
      default:
        return error;
    }
  }
  return error;
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
