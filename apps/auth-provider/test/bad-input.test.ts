import { bearer, createTenant, Harness, startAuthProvider, TenantFixture, OPERATOR_KEY } from './harness';

/** R29: bad input is a 4xx with { code, message, correlationId }, never a 500, never a half-write. */
describe('bad input', () => {
  let h: Harness;
  let t: TenantFixture;
  let providerId: string;

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
    const p = await h.http().post('/v1/providers').set(bearer(t.apiKey)).send({ name: 'P', billingModel: 'per_user' });
    providerId = p.body.id;
  });
  afterAll(() => h.close());

  const huge = 'x'.repeat(100_000);
  const bodies: [string, unknown][] = [
    ['wrong types', { name: 42, billingModel: true }],
    ['unknown field', { name: 'ok', billingModel: 'per_user', plan: 'gold' }],
    ['huge string', { name: huge, billingModel: 'per_user' }],
    ['bad enum', { name: 'ok', billingModel: 'per_minute' }],
    ['null body', null],
    ['array body', [{ name: 'ok', billingModel: 'per_user' }]],
    ['number body', 7],
    ['string body', 'hello'],
    ['nested junk', { name: 'ok', billingModel: 'per_user', recordFields: { email: 'yes', extra: 1 } }],
    ['prototype pollution', JSON.parse('{"name":"ok","billingModel":"per_user","__proto__":{"admin":true}}')],
  ];

  const targets = () => [
    { method: 'post' as const, url: '/v1/providers', key: t.apiKey },
    { method: 'patch' as const, url: `/v1/providers/${providerId}`, key: t.apiKey },
    { method: 'post' as const, url: '/v1/api-keys', key: t.apiKey },
    { method: 'patch' as const, url: `/v1/tenants/${t.id}`, key: t.apiKey },
    { method: 'post' as const, url: '/v1/tenants', key: OPERATOR_KEY },
  ];

  it.each(bodies)('%s → 400 with the error format on every write endpoint', async (_label, body) => {
    for (const target of targets()) {
      const res = await h
        .http()
        [target.method](target.url)
        .set(bearer(target.key))
        .set('content-type', 'application/json')
        .send(JSON.stringify(body));
      if (res.status !== 400)
        throw new Error(`${target.method} ${target.url}: ${res.status} ${JSON.stringify(res.body)}`);
      expect(res.body.code).toMatch(/^(validation_failed|invalid_json|bad_request)$/);
      expect(res.body.correlationId).toBeDefined();
    }
  });

  it('names each bad field', async () => {
    const res = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: '', billingModel: 'x', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['billingModel', 'extra', 'name']);
  });

  it('issue 15 (found by the OpenAPI fuzz net): null is refused where the document does not say nullable, accepted where it does', async () => {
    const user = await h.http().post('/v1/users').set(bearer(t.apiKey)).send({ userName: 'nullable@contoso.example' });
    for (const [url, body] of [
      ['/v1/method-policy', { sms: null }],
      [`/v1/users/${user.body.id}`, { userName: null }],
    ] as const) {
      const res = await h.http().patch(url).set(bearer(t.apiKey)).send(body);
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 400, code: 'validation_failed' });
    }
    const cleared = await h.http().patch(`/v1/users/${user.body.id}`).set(bearer(t.apiKey)).send({ email: null });
    expect(cleared.status).toBe(200);
  });

  it('malformed JSON → 400 invalid_json', async () => {
    for (const raw of ['{"name": "x",', '{name: x}', '\u0000']) {
      const res = await h
        .http()
        .post('/v1/providers')
        .set(bearer(t.apiKey))
        .set('content-type', 'application/json')
        .send(raw);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_json');
      expect(res.body.correlationId).toBeDefined();
    }
  });

  it('empty JSON body → 400', async () => {
    const res = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .set('content-type', 'application/json')
      .send('');
    expect(res.status).toBe(400);
    expect(res.body.code).toBeDefined();
  });

  it('text/plain → 415, 2 MB body → 413', async () => {
    const plain = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .set('content-type', 'text/plain')
      .send('name=x');
    expect(plain.status).toBe(415);
    expect(plain.body.code).toBe('unsupported_media_type');
    const big = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), billingModel: 'per_user' }));
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
  });

  it('bad path ids and query values → 4xx, never 500', async () => {
    const cases = [
      h.http().get('/v1/providers/not-a-uuid').set(bearer(t.apiKey)),
      h
        .http()
        .get(`/v1/providers/${'9'.repeat(5000)}`)
        .set(bearer(t.apiKey)),
      h.http().get("/v1/providers/' OR 1=1 --").set(bearer(t.apiKey)),
      h.http().get('/v1/providers').query({ limit: 'ten' }).set(bearer(t.apiKey)),
      h.http().get('/v1/providers').query({ limit: 100000 }).set(bearer(t.apiKey)),
      h.http().get('/v1/providers').query({ cursor: 'garbage' }).set(bearer(t.apiKey)),
      h.http().get('/v1/providers').query({ unknown: 1 }).set(bearer(t.apiKey)),
      h.http().get('/v1/no-such-thing').set(bearer(t.apiKey)),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.code).toBeDefined();
      expect(res.body.correlationId).toBeDefined();
    }
  });

  it('issue 15: a crafted cursor gets 400 cursor_invalid on every paginated endpoint, never 500', async () => {
    const crafted = [
      // The one that reached SQL: the right shape, with 36 dashes for an id.
      Buffer.from(JSON.stringify([new Date().toISOString(), '-'.repeat(36)])).toString('base64url'),
      Buffer.from(JSON.stringify(['2026-12-03', '00000000-0000-4000-8000-000000000000'])).toString('base64url'),
      'garbage',
    ];
    const lists = [
      '/v1/users',
      '/v1/providers',
      `/v1/providers/${providerId}/activation-credentials`,
      '/v1/link-consents',
      '/v1/audit-log',
      '/v1/license-pools',
      '/v1/api-keys',
      '/v1/mfa-servers',
      '/v1/oath-tokens',
    ];
    for (const path of lists) {
      for (const cursor of crafted) {
        const res = await h.http().get(path).query({ cursor }).set(bearer(t.apiKey));
        expect({ path, cursor, status: res.status, code: res.body.code }).toEqual({
          path,
          cursor,
          status: 400,
          code: 'cursor_invalid',
        });
        expect(res.body.correlationId).toBeDefined();
      }
    }
  });

  it('a refused write leaves nothing behind', async () => {
    const before = await h.http().get('/v1/providers').query({ limit: 200 }).set(bearer(t.apiKey));
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'half', billingModel: 'per_user', recordFields: { email: 'no' } });
    const after = await h.http().get('/v1/providers').query({ limit: 200 }).set(bearer(t.apiKey));
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it('echoes a safe caller correlation id and replaces an unsafe one', async () => {
    const safe = await h
      .http()
      .get('/v1/providers/not-a-uuid')
      .set(bearer(t.apiKey))
      .set('x-correlation-id', 'support-ticket-1234');
    expect(safe.body.correlationId).toBe('support-ticket-1234');
    const unsafe = await h
      .http()
      .get('/v1/providers/not-a-uuid')
      .set(bearer(t.apiKey))
      .set('x-correlation-id', '<script>');
    expect(unsafe.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carries the tenant id in errors where known (R29)', async () => {
    const res = await h.http().get('/v1/providers/not-a-uuid').set(bearer(t.apiKey));
    expect(res.body.tenantId).toBe(t.id);
  });
});
