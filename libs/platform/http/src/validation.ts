import { ArgumentMetadata, ValidationPipe, ValidationError as ClassValidationError } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { FieldProblem, ValidationError } from '@twofold/platform/errors';

type Class = abstract new (...args: never[]) => unknown;
const PLAIN_TYPES: ReadonlySet<unknown> = new Set([String, Number, Boolean, Date, Object, Array]);

/** The DTO class an OpenAPI property describes, if any (`type: X`, `type: () => X`, `type: [X]`). */
function dtoClassOf(type: unknown): Class | undefined {
  let t = Array.isArray(type) ? type[0] : type;
  if (typeof t === 'function' && !('prototype' in t && t.prototype)) t = (t as () => unknown)();
  if (Array.isArray(t)) t = t[0];
  return typeof t === 'function' && !PLAIN_TYPES.has(t) ? (t as Class) : undefined;
}

/**
 * class-validator's @IsOptional() lets `null` through as well as an absent field, and a null then
 * reached NOT NULL columns (a 500, found by the OpenAPI fuzz net). The OpenAPI document is the
 * contract: a property takes null only where it is declared `nullable`.
 */
function nullProblems(value: unknown, dto: Class | undefined, parent = '', depth = 0): FieldProblem[] {
  if (!dto || depth > 8 || typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullProblems(v, dto, `${parent}[${i}]`, depth + 1));
  const problems: FieldProblem[] = [];
  for (const [key, v] of Object.entries(value)) {
    const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype as object, key) as
      { nullable?: boolean; type?: unknown } | undefined;
    if (!meta) continue; // not a declared property: the whitelist refuses it
    const field = parent ? `${parent}.${key}` : key;
    if (v === null && meta.nullable !== true) problems.push({ field, problems: [`${field} must not be null`] });
    else problems.push(...nullProblems(v, dtoClassOf(meta.type), field, depth + 1));
  }
  return problems;
}

function flatten(errors: ClassValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Unknown fields are refused (not silently dropped) and each bad field is named, so a client
 * that misspells `billingModel` learns it instead of getting a default.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // ValidationPipe lets a null, array or scalar body through to the handler; a body is an object.
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ValidationError([{ field: '(body)', problems: ['the request body must be a JSON object'] }]);
    }
    if (metadata.type === 'body') {
      const nulls = nullProblems(value, metadata.metatype as Class | undefined);
      if (nulls.length > 0) throw new ValidationError(nulls);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new ValidationError(
        fields.length ? fields : [{ field: '(body)', problems: ['the request body must be a JSON object'] }],
      );
    },
  });
}
