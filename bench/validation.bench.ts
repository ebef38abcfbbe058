/**
 * Issue 17, "the HTTP edge": what validating the two hot routes' bodies costs, class-validator +
 * class-transformer (our ValidationPipe, libs/platform/http/src/validation.ts) against a compiled
 * JSON schema (ajv 8, the validator Fastify ships and compiles route schemas with).
 *
 *   node bench/run-ts.js bench/validation.bench.ts [iterations]
 *
 * 1. The validation step alone, per body, on one core (this process): the pipe's `transform` as Nest
 *    calls it, and ajv's compiled function for the same rules (type, uuid/ipv4|ipv6 formats, enum,
 *    maxLength, no unknown properties). Valid bodies (what the hot path sees) and one bad body.
 *    Also the pipe as the service runs it since decision 0030 (`pipe_schema_path`: the DTO's compiled
 *    schema accepts the body, class-transformer makes the DTO, class-validator is skipped; a refused
 *    body goes through class-validator as before, so the bad body costs both).
 * 2. The whole request in-process (`app.inject`, Nest on Fastify, no socket), on a controller with
 *    the two routes and the real DTOs, no guard and no service: (a) class-validator on every body,
 *    (b) our pipe with the schema path, (c) no body validation at all, (d) Fastify validating the
 *    route's JSON schema (`@RouteSchema`) and no pipe. (a) − (c) is what class-validator costs
 *    inside a request, (b) − (c) what the pipe costs now.
 *
 * Prints `name value` lines (CPU microseconds per call, the median of 5 rounds) and `# …` notes.
 */
import 'reflect-metadata';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Body, Controller, HttpCode, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication, RouteSchema } from '@nestjs/platform-fastify';
import { createValidationPipe } from '@twofold/platform/http';
// Every DTO of the service registered, as in the running service: class-validator looks a class's
// rules up in one global store of all of them.
import '../apps/auth-provider/src/app.module';
import { AUTH_METHODS } from '@twofold/directory/contracts';
import {
  StartAuthenticationDto,
  VerifyAuthenticationDto,
} from '../apps/auth-provider/src/authentications/dto/authentication.dto';

const ITERATIONS = Number(process.argv[2] ?? 20_000);
const ROUNDS = 5;

const START_BODY = { userId: '0190f3b6-3c5e-7d6a-9b1c-2f4e5a6b7c8d', method: 'sms', clientIp: '203.0.113.7' };
const VERIFY_BODY = { code: '123456' };
const BAD_START = { userId: 'not-a-uuid', method: 'carrier_pigeon', extra: 1 };

const START_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    userId: { type: 'string', format: 'uuid' },
    userName: { type: 'string', minLength: 1, maxLength: 256 },
    method: { type: 'string', enum: [...AUTH_METHODS] },
    providerId: { type: 'string', format: 'uuid' },
    clientIp: { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] },
    primaryPassword: { type: 'boolean' },
  },
} as const;

const VERIFY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    code: { type: 'string', maxLength: 64 },
    approve: { type: 'boolean' },
    deviceToken: { type: 'string', maxLength: 100 },
    deviceSecret: { type: 'string', maxLength: 100 },
  },
} as const;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * CPU microseconds of this process per call (user + system, so time the core spent on other
 * processes of a busy machine is not counted): the median of ROUNDS rounds of `iterations` calls,
 * after one warm-up round.
 */
async function perCall(work: () => unknown, iterations = ITERATIONS): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const out = work() as { then?: unknown } | undefined;
      // app.inject answers a thenable (light-my-request's chain), not a Promise.
      if (typeof out?.then === 'function') await (out as PromiseLike<unknown>).then(undefined, () => undefined);
    }
    const used = process.cpuUsage(start);
    const us = (used.user + used.system) / iterations;
    if (r > 0) rounds.push(us);
  }
  return median(rounds);
}

function line(name: string, value: number): void {
  process.stdout.write(`${name} ${value.toFixed(2)}\n`);
}

async function validationStep(): Promise<void> {
  const pipe = createValidationPipe({ schemaFastPath: false });
  const fastPath = createValidationPipe();
  const ajv = new Ajv({ allErrors: true, coerceTypes: false, useDefaults: false, removeAdditional: false });
  addFormats(ajv);
  const startSchema = ajv.compile(START_SCHEMA);
  const verifySchema = ajv.compile(VERIFY_SCHEMA);
  if (!startSchema(START_BODY) || !verifySchema(VERIFY_BODY) || startSchema(BAD_START)) {
    throw new Error('the ajv schemas do not answer like the DTOs on the bench bodies');
  }
  const start = { type: 'body', metatype: StartAuthenticationDto, data: '' } as const;
  const verify = { type: 'body', metatype: VerifyAuthenticationDto, data: '' } as const;
  // Each call gets a fresh body, as a request would (class-transformer copies it; ajv reads it).
  line('validation_us_start_class_validator', await perCall(() => pipe.transform({ ...START_BODY }, start)));
  line('validation_us_start_ajv', await perCall(() => startSchema({ ...START_BODY })));
  line('validation_us_start_pipe_schema_path', await perCall(() => fastPath.transform({ ...START_BODY }, start)));
  line('validation_us_verify_class_validator', await perCall(() => pipe.transform({ ...VERIFY_BODY }, verify)));
  line('validation_us_verify_ajv', await perCall(() => verifySchema({ ...VERIFY_BODY })));
  line('validation_us_verify_pipe_schema_path', await perCall(() => fastPath.transform({ ...VERIFY_BODY }, verify)));
  line('validation_us_bad_start_class_validator', await perCall(() => pipe.transform({ ...BAD_START }, start)));
  line('validation_us_bad_start_ajv', await perCall(() => startSchema({ ...BAD_START })));
  line('validation_us_bad_start_pipe_schema_path', await perCall(() => fastPath.transform({ ...BAD_START }, start)));
}

@Controller('v1/authentications')
class ValidatedController {
  @Post()
  @HttpCode(201)
  start(@Body() body: StartAuthenticationDto) {
    return { id: body.userId };
  }

  @Post(':id/verify')
  @HttpCode(200)
  verify(@Param('id') id: string, @Body() body: VerifyAuthenticationDto) {
    return { id, code: body.code?.length };
  }
}

@Controller('v1/authentications')
class SchemaController {
  @Post()
  @HttpCode(201)
  @RouteSchema({ body: START_SCHEMA })
  start(@Body() body: { userId?: string }) {
    return { id: body.userId };
  }

  @Post(':id/verify')
  @HttpCode(200)
  @RouteSchema({ body: VERIFY_SCHEMA })
  verify(@Param('id') id: string, @Body() body: { code?: string }) {
    return { id, code: body.code?.length };
  }
}

type Kind = 'class_validator' | 'pipe_schema_path' | 'none' | 'fastify_schema';

async function app(kind: Kind): Promise<NestFastifyApplication> {
  @Module({ controllers: [kind === 'fastify_schema' ? SchemaController : ValidatedController] })
  class BenchModule {}
  // Fastify's own ajv settings would coerce types ("true" → true); the comparison keeps them off.
  const adapter = new FastifyAdapter({ ajv: { customOptions: { coerceTypes: false, allErrors: true } } });
  const a = await NestFactory.create<NestFastifyApplication>(BenchModule, adapter, { logger: false });
  if (kind === 'class_validator') a.useGlobalPipes(createValidationPipe({ schemaFastPath: false }));
  if (kind === 'pipe_schema_path') a.useGlobalPipes(createValidationPipe());
  await a.init();
  await a.getHttpAdapter().getInstance().ready();
  return a;
}

async function wholeRequest(): Promise<void> {
  const requests = Math.max(1000, Math.floor(ITERATIONS / 4));
  for (const kind of ['class_validator', 'pipe_schema_path', 'none', 'fastify_schema'] as const) {
    const a = await app(kind);
    const fastify = a.getHttpAdapter().getInstance();
    const startPayload = JSON.stringify(START_BODY);
    const verifyPayload = JSON.stringify(VERIFY_BODY);
    const headers = { 'content-type': 'application/json' };
    const check = await fastify.inject({ method: 'POST', url: '/v1/authentications', payload: startPayload, headers });
    if (check.statusCode !== 201) throw new Error(`${kind}: start answered ${check.statusCode} ${check.body}`);
    line(
      `request_us_start_${kind}`,
      await perCall(
        () => fastify.inject({ method: 'POST', url: '/v1/authentications', payload: startPayload, headers }),
        requests,
      ),
    );
    line(
      `request_us_verify_${kind}`,
      await perCall(
        () =>
          fastify.inject({
            method: 'POST',
            url: `/v1/authentications/${START_BODY.userId}/verify`,
            payload: verifyPayload,
            headers,
          }),
        requests,
      ),
    );
    await a.close();
  }
}

async function main(): Promise<void> {
  process.stdout.write(`# ${ITERATIONS} calls per round, median of ${ROUNDS} rounds, one core (this process)\n`);
  await validationStep();
  await wholeRequest();
  process.stdout.write(
    '# request_us_*: app.inject through Nest on Fastify, no guard, no service; compare with the ' +
      "service's CPU per authentication (bench:authentications, cpu_ms_per_authentication_c50_service)\n",
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
