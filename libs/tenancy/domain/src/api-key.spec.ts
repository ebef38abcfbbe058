import { apiKeyDisplayPrefix, formatApiKey, hashApiKey, isWellFormedApiKey } from './api-key';

describe('API keys', () => {
  const key = formatApiKey(Buffer.alloc(32, 7));

  it('have a recognisable, fixed shape', () => {
    expect(key).toMatch(/^tfk_[A-Za-z0-9_-]{43}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(isWellFormedApiKey(key + 'x')).toBe(false);
    expect(isWellFormedApiKey('Bearer nonsense')).toBe(false);
  });

  it('are stored as SHA-256 and shown only by a short prefix', () => {
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).not.toContain(key.slice(4));
    expect(apiKeyDisplayPrefix(key)).toHaveLength(10);
  });

  it('refuse a secret of the wrong size', () => {
    expect(() => formatApiKey(Buffer.alloc(16))).toThrow();
  });
});
