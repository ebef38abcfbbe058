import { DomainError } from '@twofold/platform/errors';
import { decodeCursor, encodeCursor } from './pagination';

/** Issue 15 item 3: only a cursor in exactly the shape the API makes is accepted. */
describe('decodeCursor', () => {
  const good = { at: new Date('2026-12-03T09:41:07.123Z'), id: '0191d9a4-6a0b-7c1e-9d2f-1a2b3c4d5e6f' };
  const b64 = (text: string) => Buffer.from(text).toString('base64url');

  it('reads back what encodeCursor made; no cursor is no cursor', () => {
    expect(decodeCursor(encodeCursor(good))).toEqual(good);
    expect(decodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor('')).toBeUndefined();
  });

  it.each([
    ['36 dashes for an id', b64(JSON.stringify([good.at.toISOString(), '-'.repeat(36)]))],
    ['an id that is not a UUID', b64(JSON.stringify([good.at.toISOString(), 'x'.repeat(36)]))],
    ['a time that is not ISO', b64(JSON.stringify(['2026-12-03', good.id]))],
    ['a time that is not a time', b64(JSON.stringify(['yesterday', good.id]))],
    ['a number for the time', b64(JSON.stringify([1, good.id]))],
    ['three elements', b64(JSON.stringify([good.at.toISOString(), good.id, 'x']))],
    ['an object', b64(JSON.stringify({ at: good.at.toISOString(), id: good.id }))],
    ['null', b64('null')],
    ['not JSON', b64('[garbage')],
    ['spaces in the JSON', b64(`[ "${good.at.toISOString()}", "${good.id}" ]`)],
    ['base64 padding', `${encodeCursor(good)}==`],
    ['not base64url', 'garbage!'],
    ['far too long', 'A'.repeat(10_000)],
  ])('refuses %s with cursor_invalid', (_what, raw) => {
    let error: unknown;
    try {
      decodeCursor(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('cursor_invalid');
  });
});
