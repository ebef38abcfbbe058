import { ArgumentMetadata, ValidationPipe, ValidationError as ClassValidationError } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import Ajv, { type ValidateFunction } from 'ajv';
import { plainToInstance } from 'class-transformer';
import { isIP, isUUID } from 'class-validator';
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
 * Issue 17, "the HTTP edge" (docs/decisions/0030): class-validator costs ~11 µs of CPU per valid body
 * of the hot routes, a compiled JSON schema (ajv, the validator Fastify ships) ~0.2 µs. A DTO may
 * declare, with `@AcceptedBySchema`, a schema that accepts only bodies its class-validator rules
 * accept (a subset, never more): such a body becomes the DTO with class-transformer as before (same
 * options, same @Transform) and skips class-validator. Every other body, and so every refusal, goes
 * through class-validator exactly as before: the answers (status, code, message, `errors`) are its own
 * (R29). The formats below are class-validator's own functions, so a format accepts what its
 * decorator accepts. The schema is not the route's (the OpenAPI document is unchanged).
 */
const schemaCompiler = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false });
schemaCompiler.addFormat('uuid-any-version', { type: 'string', validate: (v: string) => isUUID(v, 'all') });
schemaCompiler.addFormat('ip-any-version', { type: 'string', validate: (v: string) => isIP(v) });
const acceptedBySchema = new WeakMap<object, ValidateFunction>();

/** See above: `schema` must accept no body the class's class-validator rules refuse. */
export function AcceptedBySchema(schema: object): ClassDecorator {
  const accepts = schemaCompiler.compile(schema);
  return (target) => {
    acceptedBySchema.set(target, accepts);
  };
}

/** True when the body takes the compiled schema's path (tests compare both paths). */
export function acceptedAsIs(metatype: unknown, value: unknown): boolean {
  const accepts = typeof metatype === 'function' ? acceptedBySchema.get(metatype) : undefined;
  return accepts !== undefined && accepts(value);
}

const TRANSFORM_OPTIONS = { enableImplicitConversion: false };

/**
 * Unknown fields are refused (not silently dropped) and each bad field is named, so a client
 * that misspells `billingModel` learns it instead of getting a default.
 */
class StrictValidationPipe extends ValidationPipe {
  constructor(
    options: ConstructorParameters<typeof ValidationPipe>[0],
    private readonly schemaFastPath: boolean,
  ) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // ValidationPipe lets a null, array or scalar body through to the handler; a body is an object.
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ValidationError([{ field: '(body)', problems: ['the request body must be a JSON object'] }]);
    }
    if (metadata.type === 'body' && this.schemaFastPath && acceptedAsIs(metadata.metatype, value)) {
      return plainToInstance(metadata.metatype as Class as new () => object, value, TRANSFORM_OPTIONS);
    }
    if (metadata.type === 'body') {
      const nulls = nullProblems(value, metadata.metatype as Class | undefined);
      if (nulls.length > 0) throw new ValidationError(nulls);
    }
    return super.transform(value, metadata);
  }
}

/** `schemaFastPath: false` validates every body with class-validator (tests and the bench compare). */
export function createValidationPipe(options: { schemaFastPath?: boolean } = {}): ValidationPipe {
  return new StrictValidationPipe(
    {
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: TRANSFORM_OPTIONS,
      forbidUnknownValues: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => {
        const fields = flatten(errors);
        return new ValidationError(
          fields.length ? fields : [{ field: '(body)', problems: ['the request body must be a JSON object'] }],
        );
      },
    },
    options.schemaFastPath ?? true,
  );
}
