import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import { DomainError } from '@twofold/platform/errors';
import { acceptedAsIs, createValidationPipe } from '@twofold/platform/http';
import { AUTH_METHODS } from '@twofold/directory/contracts';
import { StartAuthenticationDto, VerifyAuthenticationDto } from '../src/authentications/dto/authentication.dto';

/**
 * Issue 17, the HTTP edge (docs/decisions/0030): the two hot routes' bodies skip class-validator when
 * their compiled JSON schema accepts them. R29: the answers must not change. For every body below
 * (the valid ones, the bad inputs the HTTP tests send, and a few thousand combinations of awkward
 * values), the pipe with the schema path and the pipe without it answer the same: the same DTO, or
 * the same error (code, kind, message, fields). And the schema never accepts a body class-validator
 * refuses.
 */
const fast = createValidationPipe();
const slow = createValidationPipe({ schemaFastPath: false });
const START: ArgumentMetadata = { type: 'body', metatype: StartAuthenticationDto, data: '' };
const VERIFY: ArgumentMetadata = { type: 'body', metatype: VerifyAuthenticationDto, data: '' };

type Outcome = { ok: true; value: unknown; className: string } | { ok: false; error: unknown };

async function outcome(pipe: typeof fast, body: unknown, metadata: ArgumentMetadata): Promise<Outcome> {
  // Each pipe gets its own copy: class-transformer and the pipe may change what they are given.
  const copy = body === undefined ? undefined : (JSON.parse(JSON.stringify(body)) as unknown);
  try {
    const value = await pipe.transform(copy, metadata);
    return { ok: true, value: { ...(value as object) }, className: (value as object).constructor.name };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { ok: false, error: { ...error, name: error.constructor.name, message: error.message } };
  }
}

const UUID = '0190f3b6-3c5e-7d6a-9b1c-2f4e5a6b7c8d';
const STRINGS: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'a',
  'alice@example.com',
  UUID,
  UUID.toUpperCase(),
  '0190f3b6-3c5e-7d6a-9b1c-2f4e5a6b7c8', // one digit short
  '0190f3b6-3c5e-0d6a-9b1c-2f4e5a6b7c8d', // version 0
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  `{${UUID}}`,
  UUID.replace(/-/g, ''),
  '203.0.113.7',
  '203.0.113.256',
  '010.0.0.1',
  '::1',
  '::ffff:203.0.113.7',
  'fe80::1%eth0',
  '2001:db8::1/64',
  '1.2.3',
  '123456',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(100),
  'x'.repeat(101),
  'x'.repeat(256),
  'x'.repeat(257),
  '😀'.repeat(64), // surrogate pairs: 128 UTF-16 units
  '😀'.repeat(65),
  `${'x'.repeat(64)}\uFE0F`, // a variation selector, which class-validator's length does not count
  `${'x'.repeat(256)}\uFE0F`,
  'sms',
  'SMS',
  ...AUTH_METHODS,
  'carrier_pigeon',
  0,
  1,
  123456,
  true,
  false,
  'true',
  [],
  ['sms'],
  {},
  { a: 1 },
];

function* combinations(fields: string[], seed: number, count: number): Generator<Record<string, unknown>> {
  let s = seed;
  const random = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  for (let i = 0; i < count; i++) {
    const body: Record<string, unknown> = {};
    for (const f of fields) {
      const v = STRINGS[random(STRINGS.length)];
      if (v !== undefined) body[f] = v;
    }
    if (random(10) === 0) body[['extra', 'constructor', 'userID', 'code '][random(4)]] = 'x';
    yield body;
  }
}

const START_FIELDS = ['userId', 'userName', 'method', 'providerId', 'clientIp', 'primaryPassword'];
const VERIFY_FIELDS = ['code', 'approve', 'deviceToken', 'deviceSecret'];

const START_BODIES: unknown[] = [
  { userId: UUID, method: 'sms', clientIp: '203.0.113.7' },
  { userId: UUID.toUpperCase(), method: 'sms' },
  { userName: 'alice@example.com', providerId: UUID, method: 'voice', primaryPassword: false },
  { userName: 'alice', userId: 'not-a-uuid' },
  { userId: UUID, clientIp: '::1' },
  {},
  { userId: null },
  { userId: 'not-a-uuid', method: 'carrier_pigeon', extra: 1 },
  { userName: '' },
  { userName: 'x'.repeat(257) },
  { userId: UUID, primaryPassword: 'true' },
  { userId: UUID, clientIp: 'not-an-ip' },
  null,
  [],
  'text',
  42,
  ...combinations(START_FIELDS, 17, 3000),
];
const VERIFY_BODIES: unknown[] = [
  { code: '123456' },
  { approve: true, deviceToken: 'tok', deviceSecret: 'secret' },
  {},
  { code: 123456 },
  { code: null },
  { code: 'x'.repeat(65) },
  { approve: 'yes' },
  { code: '123456', extra: true },
  null,
  [],
  'text',
  ...combinations(VERIFY_FIELDS, 29, 3000),
];

describe('the hot routes answer the same with and without the compiled schema (issue 17, R29)', () => {
  it.each([
    ['POST /v1/authentications', START, START_BODIES],
    ['POST /v1/authentications/{id}/verify', VERIFY, VERIFY_BODIES],
  ] as const)('%s: every body, the same DTO or the same error', async (_route, metadata, bodies) => {
    const differences: string[] = [];
    let schemaPath = 0;
    for (const body of bodies) {
      const [a, b] = [await outcome(fast, body, metadata), await outcome(slow, body, metadata)];
      const accepted = acceptedAsIs(metadata.metatype, body);
      if (accepted) schemaPath += 1;
      if (accepted && !b.ok) differences.push(`schema accepts what class-validator refuses: ${JSON.stringify(body)}`);
      try {
        expect(a).toEqual(b);
      } catch {
        differences.push(`${JSON.stringify(body)}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      }
    }
    expect(differences).toEqual([]);
    // The path is taken: every valid body of the hand-written list, and some of the combinations.
    expect(schemaPath).toBeGreaterThan(3);
  });

  it('a valid body takes the schema path and becomes the DTO, ids lower-cased (issue 15 item 4)', async () => {
    const body = { userId: UUID.toUpperCase(), method: 'sms' };
    expect(acceptedAsIs(StartAuthenticationDto, body)).toBe(true);
    const dto = await fast.transform({ ...body }, START);
    expect(dto).toBeInstanceOf(StartAuthenticationDto);
    expect(dto).toMatchObject({ userId: UUID, method: 'sms' });
    expect(acceptedAsIs(VerifyAuthenticationDto, { code: '123456' })).toBe(true);
  });
});
