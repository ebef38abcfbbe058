import { Param, PipeTransform } from '@nestjs/common';
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
