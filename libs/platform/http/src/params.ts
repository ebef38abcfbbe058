import { Param, PipeTransform } from '@nestjs/common';
import { CommonErrorCode, NotFoundError } from '@twofold/platform/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a UUID names nothing we have: 404, never a database cast error. */
class UuidOrNotFound implements PipeTransform<string, string> {
  constructor(
    private readonly code: string,
    private readonly what: string,
  ) {}
  transform(value: string): string {
    if (!UUID.test(value)) throw new NotFoundError(this.code, this.what);
    return value.toLowerCase();
  }
}

export const IdParam = (name = 'id', code: string = CommonErrorCode.NotFound, what = 'The object') =>
  Param(name, new UuidOrNotFound(code, what));
