import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import { Prisma } from './generated/prisma/client';

/**
 * Database failures that a client caused become domain errors; anything else stays as it is and
 * ends as a 500 with a correlation id. Triggers raise `twofold:<code>` to name a domain rule.
 */
export function mapDbError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const ruleCode = /twofold:([a-z_]+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (ruleCode) return new DomainError(ruleCode, 'conflict', `The change breaks the rule "${ruleCode}".`);
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    switch (error.code) {
      case 'P2002':
        return new DomainError(CommonErrorCode.Conflict, 'conflict', 'An object with the same unique value exists.', {
          fields: (error.meta?.target as string[] | undefined) ?? undefined,
        });
      case 'P2025':
        return new DomainError(CommonErrorCode.NotFound, 'not_found', 'The object was not found.');
      case 'P2003':
        return new DomainError(CommonErrorCode.Conflict, 'conflict', 'The object is referenced by or refers to another.');
      default:
        return error;
    }
  }
  return error;
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
