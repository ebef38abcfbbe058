import SwaggerParser from '@apidevtools/swagger-parser';
import { Harness, startAuthProvider } from './harness';

describe('OpenAPI and health', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAuthProvider();
  });
  afterAll(() => h.close());

  it('serves an OpenAPI document that a standard validator accepts', async () => {
    const res = await h.http().get('/docs/openapi.json');
    expect(res.status).toBe(200);
    const api = await SwaggerParser.validate(res.body);
    expect(Object.keys(api.paths ?? {})).toEqual(
      expect.arrayContaining(['/v1/providers', '/v1/providers/{id}', '/v1/tenants']),
    );
  });

  it('serves the docs UI', async () => {
    const res = await h.http().get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  it('is live and ready with Postgres and Redis up', async () => {
    expect((await h.http().get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await h.http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });
  });
});
