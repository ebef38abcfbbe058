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

  it('0019: documents every delivery code: refusals, their reasons, statuses and the tenant settings', async () => {
    const res = await h.http().get('/docs/openapi.json');
    const doc = res.body as {
      paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
      components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> };
    };
    const described = (path: string, method: string, status: string) =>
      doc.paths[path]?.[method]?.responses[status]?.description ?? '';
    expect(described('/v1/authentications', 'post', '400')).toContain('phone_number_not_allowed');
    expect(described('/v1/authentications', 'post', '409')).toContain('country_not_allowed');
    expect(described('/v1/authentications', 'post', '409')).toContain('no_route_for_country');
    expect(described('/v1/authentications', 'post', '429')).toContain('sms_velocity_exceeded');
    expect(described('/v1/authentications/{id}/resend', 'post', '429')).toContain('sms_velocity_exceeded');
    expect(described('/v1/users', 'post', '400')).toContain('phone_number_not_allowed');
    expect(described('/v1/users/{id}', 'patch', '400')).toContain('phone_number_not_allowed');
    expect(described('/v1/users/{id}/methods', 'post', '400')).toContain('phone_number_not_allowed');
    const schemas = doc.components.schemas;
    expect(schemas.ErrorResponseDto.properties?.reason?.enum).toEqual([
      'premium_rate',
      'shared_cost',
      'personal_number',
      'uan',
      'pager',
      'voicemail',
      'non_geographic',
      'toll_free_sms',
      'invalid',
    ]);
    expect(schemas.DeliveryDto.properties?.status?.enum).toEqual([
      'queued',
      'sent',
      'delivered',
      'undelivered',
      'failed',
      'refused',
    ]);
    expect(Object.keys(schemas.AuthenticationDto.properties ?? {})).toEqual(
      expect.arrayContaining(['delivery', 'deliveries']),
    );
    expect(Object.keys(schemas.UpdateTenantDto.properties ?? {})).toEqual(
      expect.arrayContaining(['deliveryCountries', 'smsVelocityPerHour', 'phoneDefaultRegion']),
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
