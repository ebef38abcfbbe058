import { bearer, createTenant, Harness, OPERATOR_KEY, startAuthProvider, TenantFixture } from './harness';
import { FEATURES } from './isolation';

/**
 * Tenant isolation: every tenant-scoped endpoint, called with tenant B's key and tenant A's ids,
 * answers 404 and changes nothing. The matrix is checked against the OpenAPI document, so a new
 * endpoint with a path id fails this test until its feature file (./isolation) covers it.
 */
describe('cross-tenant matrix: another tenant’s object is 404', () => {
  let h: Harness;
  let a: TenantFixture;
  let b: TenantFixture;
  const urls: Record<string, Record<string, string>> = {};
  const cases = FEATURES.flatMap((f) => f.cases.map((c) => ({ ...c, feature: f.name })));

  beforeAll(async () => {
    h = await startAuthProvider();
    a = await createTenant(h, 'Tenant A');
    b = await createTenant(h, 'Tenant B');
    for (const f of FEATURES) urls[f.name] = await f.seed(h, a);
  });
  afterAll(() => h.close());

  it('covers every operation with a path id in the OpenAPI document', async () => {
    const doc = (await h.http().get('/docs/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.includes('{'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    const covered = [...new Set(cases.map((c) => `${c.method} ${c.path}`))].sort();
    expect(covered).toEqual(documented);
  });

  it.each(cases.filter((c) => c.operatorOnly))(
    '$method $path (operator only) with tenant B’s key → 403 operator_key_required',
    async (c) => {
      const url = urls[c.feature]?.[c.path];
      if (!url) throw new Error(`feature "${c.feature}" seeded no URL for ${c.path}`);
      let req = h.http()[c.method](url).set(bearer(b.apiKey));
      if (c.body) req = req.send(c.body);
      const res = await req;
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'operator_key_required' });
      expect(res.body.correlationId).toBeDefined();
    },
  );

  it.each(cases.filter((c) => !c.operatorOnly))(
    '$method $path with tenant B’s key and tenant A’s ids → 404',
    async (c) => {
      const url = urls[c.feature]?.[c.path];
      if (!url) throw new Error(`feature "${c.feature}" seeded no URL for ${c.path}`);
      const target = c.asOperator === 'query' ? `${url}?tenantId=${b.id}` : url;
      let req = h
        .http()
        [c.method](target)
        .set(bearer(c.asOperator ? OPERATOR_KEY : b.apiKey));
      const body = c.asOperator === 'body' ? { ...c.body, tenantId: b.id } : c.body;
      if (body) req = req.send(body);
      const res = await req;
      expect({ status: res.status, code: res.body.code }).toEqual({
        status: 404,
        code: expect.stringMatching(/not_found$/),
      });
      expect(res.body.correlationId).toBeDefined();
    },
  );

  it('left tenant A’s objects untouched', async () => {
    for (const f of FEATURES) await f.verifyUntouched?.(h, a, urls[f.name] ?? {});
  });

  it('lists never show another tenant’s objects', async () => {
    // Tenant A's object ids: the UUID segments of the seeded URLs.
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const ids = [
      ...new Set(
        Object.values(urls).flatMap((u) =>
          Object.values(u).flatMap((url) => url.split(/[/?]/).filter((s) => UUID.test(s))),
        ),
      ),
    ].filter((id) => id !== b.id);
    const doc = (await h.http().get('/docs/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const lists = Object.entries(doc.paths)
      .filter(([path, ops]) => !path.includes('{') && 'get' in ops && path.startsWith('/v1/'))
      .map(([path]) => path);
    for (const path of lists) {
      const res = await h.http().get(path).query({ limit: 200 }).set(bearer(b.apiKey));
      if (res.status === 403) continue; // operator-only or server-only
      expect(res.status).toBe(200);
      const dump = JSON.stringify(res.body);
      for (const id of ids) expect(dump).not.toContain(id);
    }
  });
});
