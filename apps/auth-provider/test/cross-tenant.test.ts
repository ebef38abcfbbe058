import { bearer, createTenant, Harness, startAuthProvider, TenantFixture } from './harness';

/**
 * Tenant isolation: every tenant-scoped endpoint, called with tenant B's key and tenant A's ids,
 * answers 404 and changes nothing. The matrix is checked against the OpenAPI document, so a new
 * endpoint with a path id fails this test until it is added here.
 */
type Method = 'get' | 'patch' | 'delete' | 'post' | 'put';
interface Case {
  method: Method;
  path: string; // OpenAPI form, with {id}
  body?: object;
}

const MATRIX: Case[] = [
  { method: 'get', path: '/v1/tenants/{id}' },
  { method: 'patch', path: '/v1/tenants/{id}', body: { name: 'hijacked' } },
  { method: 'get', path: '/v1/api-keys/{id}' },
  { method: 'delete', path: '/v1/api-keys/{id}' },
  { method: 'get', path: '/v1/providers/{id}' },
  { method: 'patch', path: '/v1/providers/{id}', body: { name: 'hijacked' } },
  { method: 'delete', path: '/v1/providers/{id}' },
];

describe('cross-tenant matrix: another tenant’s object is 404', () => {
  let h: Harness;
  let a: TenantFixture;
  let b: TenantFixture;
  const idsOfA: Record<string, string> = {};

  beforeAll(async () => {
    h = await startAuthProvider();
    a = await createTenant(h, 'Tenant A');
    b = await createTenant(h, 'Tenant B');
    const provider = await h
      .http()
      .post('/v1/providers')
      .set(bearer(a.apiKey))
      .send({ name: 'A provider', billingModel: 'per_user' });
    const key = await h.http().post('/v1/api-keys').set(bearer(a.apiKey)).send({ name: 'A second key' });
    idsOfA['/v1/tenants/{id}'] = a.id;
    idsOfA['/v1/providers/{id}'] = provider.body.id;
    idsOfA['/v1/api-keys/{id}'] = key.body.id;
  });
  afterAll(() => h.close());

  it('covers every operation with a path id in the OpenAPI document', async () => {
    const doc = (await h.http().get('/docs/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.includes('{'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    const covered = MATRIX.map((c) => `${c.method} ${c.path}`).sort();
    expect(covered).toEqual(documented);
  });

  it.each(MATRIX)('$method $path with tenant B’s key and tenant A’s id → 404', async (c) => {
    const id = idsOfA[c.path.replace(/\/[^/]*$/, '/{id}')] ?? idsOfA[c.path];
    expect(id).toBeDefined();
    const url = c.path.replace('{id}', id as string);
    let req = h.http()[c.method](url).set(bearer(b.apiKey));
    if (c.body) req = req.send(c.body);
    const res = await req;
    expect(res.status).toBe(404);
    expect(res.body.code).toMatch(/not_found$/);
    expect(res.body.correlationId).toBeDefined();
  });

  it('left tenant A’s objects untouched', async () => {
    const tenant = await h.http().get(`/v1/tenants/${a.id}`).set(bearer(a.apiKey));
    expect(tenant.body.name).toBe('Tenant A');
    const provider = await h.http().get(`/v1/providers/${idsOfA['/v1/providers/{id}']}`).set(bearer(a.apiKey));
    expect(provider.status).toBe(200);
    expect(provider.body.name).toBe('A provider');
    const key = await h.http().get(`/v1/api-keys/${idsOfA['/v1/api-keys/{id}']}`).set(bearer(a.apiKey));
    expect(key.body.revokedAt).toBeNull();
  });

  it('lists never show another tenant’s objects', async () => {
    for (const path of ['/v1/providers', '/v1/api-keys', '/v1/audit-log']) {
      const res = await h.http().get(path).query({ limit: 200 }).set(bearer(b.apiKey));
      expect(res.status).toBe(200);
      const dump = JSON.stringify(res.body);
      for (const id of Object.values(idsOfA)) expect(dump).not.toContain(id);
    }
  });
});
