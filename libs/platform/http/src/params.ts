import { applyDecorators, Param, PipeTransform } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsUUID } from 'class-validator';
import { isUuid } from '@twofold/platform/db';
import { CommonErrorCode, NotFoundError } from '@twofold/platform/errors';

/** A path id that is not a UUID names nothing we have: 404, never a database cast error. */
class UuidOrNotFound implements PipeTransform<string, string> {
  constructor(
    private readonly code: string,
    private readonly what: string,
  ) {}
  transform(value: string): string {
    if (!isUuid(value)) throw new NotFoundError(this.code, this.what);
    return value.toLowerCase();
  }
}

export const IdParam = (name = 'id', code: string = CommonErrorCode.NotFound, what = 'The object') =>
  Param(name, new UuidOrNotFound(code, what));

const lowerCase = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value.toLowerCase()
    : Array.isArray(value)
      ? value.map((v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v))
      : value;

/**
 * An id in a body or a query (issue 15 item 4): a UUID, lower-cased here, once, so every lookup,
 * comparison and Redis key downstream sees one spelling. An upper-case `userId` used to skip the
 * lockout check, whose failures are kept under the lower-case id. `each` for an array of ids.
 */
export const IdField = (options: { each?: boolean } = {}) =>
  applyDecorators(IsUUID('all', { each: options.each }), Transform(lowerCase));
