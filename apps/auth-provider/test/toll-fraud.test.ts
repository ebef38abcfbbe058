import { DEFAULT_DELIVERY_COUNTRIES } from '@twofold/delivery/contracts';
import { adminQuery } from '@twofold/platform/testing';
import { bearer, createTenant, createUser, expectError, Harness, startAuthProvider, TenantFixture } from './harness';

/**
 * Toll fraud refused at the door (docs/decisions/0019): number classes when a number is stored and
 * again when an authentication starts, the tenant's countries, sender routes, velocity caps.
 */
describe('toll fraud: refuse up front (docs/decisions/0019, R22, R29)', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    // A burst of 4 different numbers under one prefix trips the cap here (50 by default).
    h = await startAuthProvider({ SMS_PREFIX_BURST_NUMBERS: '4', SMS_VELOCITY_MAX_PER_HOUR: '1000' });
    t = await createTenant(h);
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Per auth', billingModel: 'per_authentication' })
      .expect(201);
  });
  afterAll(() => h.close());

  const api = (tenant: TenantFixture) => ({
    post: (url: string, body: object) => h.http().post(url).set(bearer(tenant.apiKey)).send(body),
    patch: (url: string, body: object) => h.http().patch(url).set(bearer(tenant.apiKey)).send(body),
    get: (url: string) => h.http().get(url).set(bearer(tenant.apiKey)),
  });

  /** A tenant with a provider, so authentications can start. */
  const tenantWithProvider = async (name: string): Promise<TenantFixture> => {
    const tenant = await createTenant(h, name);
    await api(tenant).post('/v1/providers', { name: 'P', billingModel: 'per_authentication' }).expect(201);
    return tenant;
  };

  /** A user with `method` registered at `phone` (through the API: the number passes the storage check). */
  const userWith = async (tenant: TenantFixture, method: 'sms' | 'voice', phone: string) => {
    const u = await createUser(h, tenant, { mfaEnabled: true });
    await api(tenant).post(`/v1/users/${u.id}/methods`, { method, phoneNumber: phone }).expect(201);
    return u;
  };

  /** A user whose number was stored before the rule existed (written past the API). */
  const legacyUser = async (tenant: TenantFixture, phone: string) => {
    const u = await createUser(h, tenant, { mfaEnabled: true });
    await adminQuery(
      h.db,
      `INSERT INTO user_methods (tenant_id, id, user_id, method, phone) VALUES ($1, gen_random_uuid(), $2, 'sms', $3)`,
      [tenant.id, u.id, phone],
    );
    return u;
  };

  const counts = async (tenantId: string) => {
    const [row] = await adminQuery<{ auths: number; messages: number; usage: number }>(
      h.db,
      `SELECT (SELECT count(*)::int FROM authentications WHERE tenant_id = $1) AS auths,
              (SELECT count(*)::int FROM messages WHERE tenant_id = $1) AS messages,
              (SELECT count(*)::int FROM usage_ledger WHERE tenant_id = $1) AS usage`,
      [tenantId],
    );
    return row;
  };

  describe('when a number is stored', () => {
    it.each([
      ['+19002345678', 'premium_rate'],
      ['+4918012345', 'shared_cost'],
      ['+881612345678', 'non_geographic'],
      ['+870773123456', 'non_geographic'],
      ['+447012345678', 'personal_number'],
      ['+447640123456', 'pager'],
    ])('a user with %s is refused: 400 phone_number_not_allowed, reason %s; nothing written', async (phone, reason) => {
      const userName = `refused-${reason}-${phone.slice(1, 6)}@contoso.com`;
      const res = await api(t).post('/v1/users', { userName, phoneNumber: phone });
      expectError(res, 400, 'phone_number_not_allowed');
      expect(res.body).toMatchObject({ reason, field: 'phoneNumber' });
      expect(await adminQuery(h.db, 'SELECT 1 FROM users WHERE user_name = $1', [userName])).toHaveLength(0);
    });

    it('a user update to a premium-rate number is refused and changes nothing', async () => {
      const u = await createUser(h, t, { phoneNumber: '+14255550100' });
      const res = await api(t).patch(`/v1/users/${u.id}`, { phoneNumber: '+19002345678', lastName: 'X' });
      expectError(res, 400, 'phone_number_not_allowed');
      expect(res.body.reason).toBe('premium_rate');
      const [row] = await adminQuery<{ phone: string; last_name: string | null }>(
        h.db,
        'SELECT phone, last_name FROM users WHERE id = $1',
        [u.id],
      );
      expect(row).toEqual({ phone: '+14255550100', last_name: null });
    });

    it('a toll-free number: refused for sms (toll_free_sms), accepted for voice and on the user', async () => {
      const u = await createUser(h, t, { phoneNumber: '+18002345678' });
      const sms = await api(t).post(`/v1/users/${u.id}/methods`, { method: 'sms', phoneNumber: '+18002345678' });
      expectError(sms, 400, 'phone_number_not_allowed');
      expect(sms.body.reason).toBe('toll_free_sms');
      const voice = await api(t).post(`/v1/users/${u.id}/methods`, { method: 'voice', phoneNumber: '+18002345678' });
      expect(voice.status).toBe(201);
      expect(voice.body.phoneNumber).toBe('+18002345678');
    });

    it('methods: a satellite number is refused for voice too (non_geographic)', async () => {
      const u = await createUser(h, t);
      const res = await api(t).post(`/v1/users/${u.id}/methods`, { method: 'voice', phoneNumber: '+881612345678' });
      expectError(res, 400, 'phone_number_not_allowed');
      expect(res.body.reason).toBe('non_geographic');
      expect(await adminQuery(h.db, 'SELECT 1 FROM user_methods WHERE user_id = $1', [u.id])).toHaveLength(0);
    });

    it('bulk import: each refused row names its line, the code and the reason; the others are created', async () => {
      const res = await api(t).post('/v1/users/bulk', {
        users: [
          { userName: 'bulk-ok@contoso.com', phoneNumber: '+14255550111' },
          { userName: 'bulk-premium@contoso.com', phoneNumber: '+19002345678' },
          { userName: 'bulk-satellite@contoso.com', phoneNumber: '+881612345678' },
          { userName: 'bulk-invalid@contoso.com', phoneNumber: '+1 555' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ created: 1, rejected: 3 });
      const [, premium, satellite, invalid] = res.body.results;
      expect(premium).toMatchObject({
        line: 2,
        status: 'rejected',
        errors: [{ code: 'phone_number_not_allowed', field: 'phoneNumber', reason: 'premium_rate' }],
      });
      expect(satellite.errors[0]).toMatchObject({ code: 'phone_number_not_allowed', reason: 'non_geographic' });
      expect(invalid.errors[0]).toMatchObject({ code: 'validation_failed', field: 'phoneNumber' });
    });

    it('a number without + is read in the tenant’s default region (US unless set); with none it is refused', async () => {
      const tenant = await createTenant(h, 'Regions');
      expect((await api(tenant).get(`/v1/tenants/${tenant.id}`)).body.phoneDefaultRegion).toBe('US');
      const us = await api(tenant).post('/v1/users', { userName: 'us@r.example', phoneNumber: '(425) 555-0100' });
      expect(us.body.phoneNumber).toBe('+14255550100');
      await api(tenant).patch(`/v1/tenants/${tenant.id}`, { phoneDefaultRegion: 'GB' }).expect(200);
      const gb = await api(tenant).post('/v1/users', { userName: 'gb@r.example', phoneNumber: '07400 123456' });
      expect(gb.body.phoneNumber).toBe('+447400123456');
      await api(tenant).patch(`/v1/tenants/${tenant.id}`, { phoneDefaultRegion: null }).expect(200);
      const none = await api(tenant).post('/v1/users', { userName: 'none@r.example', phoneNumber: '4255550100' });
      expectError(none, 400, 'validation_failed');
      const e164 = await api(tenant).post('/v1/users', { userName: 'e164@r.example', phoneNumber: '+14255550100' });
      expect(e164.status).toBe(201);
      expectError(
        await api(tenant).patch(`/v1/tenants/${tenant.id}`, { phoneDefaultRegion: 'usa' }),
        400,
        'validation_failed',
      );
    });
  });

  describe('when an authentication starts', () => {
    it.each([
      ['+19002345678', 'premium_rate'],
      ['+4918012345', 'shared_cost'],
      ['+881612345678', 'non_geographic'],
      ['+447012345678', 'personal_number'],
      ['+18002345678', 'toll_free_sms'],
      ['+1555', 'invalid'],
    ])(
      'a number stored before the rule (%s) is refused at the start: 400, reason %s, nothing written or queued',
      async (phone, reason) => {
        const tenant = await tenantWithProvider(`Legacy ${reason}`);
        const u = await legacyUser(tenant, phone);
        const res = await api(tenant).post('/v1/authentications', { userId: u.id, method: 'sms' });
        expectError(res, 400, 'phone_number_not_allowed');
        expect(res.body.reason).toBe(reason);
        expect(await counts(tenant.id)).toEqual({ auths: 0, messages: 0, usage: 0 });
      },
    );

    it('new tenants may reach the documented default countries', async () => {
      const tenant = await createTenant(h, 'Defaults');
      const got = await api(tenant).get(`/v1/tenants/${tenant.id}`);
      expect(got.body.deliveryCountries).toEqual([...DEFAULT_DELIVERY_COUNTRIES]);
      expect(got.body.deliveryCountries).toEqual(expect.arrayContaining(['US', 'CA']));
    });

    it('a high-risk country (Somalia) is refused with 409 country_not_allowed until the tenant adds it, audited', async () => {
      const tenant = await tenantWithProvider('Geo');
      const u = await userWith(tenant, 'sms', '+252612345678');
      const refused = await api(tenant).post('/v1/authentications', { userId: u.id, method: 'sms' });
      expectError(refused, 409, 'country_not_allowed');
      expect(refused.body.country).toBe('SO');
      expect(await counts(tenant.id)).toEqual({ auths: 0, messages: 0, usage: 0 });

      const countries = [...DEFAULT_DELIVERY_COUNTRIES, 'SO'];
      const patched = await api(tenant).patch(`/v1/tenants/${tenant.id}`, { deliveryCountries: countries });
      expect(patched.status).toBe(200);
      expect(patched.body.deliveryCountries).toEqual(countries);
      const audit = await api(tenant).get('/v1/audit-log?action=tenant.delivery_countries.high_risk');
      expect(audit.body.items).toEqual([expect.objectContaining({ details: { added: ['SO'] } })]);

      // Allowed now, but no SMS sender serves Somalia: refused synchronously, not after a job ran.
      const noRoute = await api(tenant).post('/v1/authentications', { userId: u.id, method: 'sms' });
      expectError(noRoute, 409, 'no_route_for_country');
      expect(noRoute.body.country).toBe('SO');
      expect(await counts(tenant.id)).toEqual({ auths: 0, messages: 0, usage: 0 });
    });

    it('a UK mobile with no UK route: 409 no_route_for_country for sms; voice (no sender route needed) starts', async () => {
      const tenant = await tenantWithProvider('UK');
      const sms = await userWith(tenant, 'sms', '+447400123456');
      expectError(
        await api(tenant).post('/v1/authentications', { userId: sms.id, method: 'sms' }),
        409,
        'no_route_for_country',
      );
      const voice = await userWith(tenant, 'voice', '+447400123457');
      const started = await api(tenant).post('/v1/authentications', { userId: voice.id, method: 'voice' });
      expect(started.status).toBe(201);
    });

    it('a route added by the operator makes the country reachable at once (no restart)', async () => {
      const tenant = await tenantWithProvider('Routed');
      const u = await userWith(tenant, 'sms', '+33612345678');
      expectError(
        await api(tenant).post('/v1/authentications', { userId: u.id, method: 'sms' }),
        409,
        'no_route_for_country',
      );
      await adminQuery(
        h.db,
        `INSERT INTO sender_routes (id, country, kind, sender, updated_at) VALUES (gen_random_uuid(), 'FR', 'alphanumeric', 'Twofold', now())`,
      );
      const res = await api(tenant).post('/v1/authentications', { userId: u.id, method: 'sms' });
      expect(res.status).toBe(201);
      const [message] = await adminQuery<{ country: string; status: string }>(
        h.db,
        'SELECT country, status::text FROM messages WHERE authentication_id = $1',
        [res.body.id],
      );
      expect(message).toEqual({ country: 'FR', status: 'queued' });
    });

    it('a country removed from the tenant’s list is refused from the next start', async () => {
      const tenant = await tenantWithProvider('Narrow');
      const u = await userWith(tenant, 'voice', '+14165550123');
      expect((await api(tenant).post('/v1/authentications', { userId: u.id, method: 'voice' })).status).toBe(201);
      await api(tenant)
        .patch(`/v1/tenants/${tenant.id}`, { deliveryCountries: ['US'] })
        .expect(200);
      const res = await api(tenant).post('/v1/authentications', { userId: u.id, method: 'voice' });
      expectError(res, 409, 'country_not_allowed');
      expect(res.body.country).toBe('CA');
    });

    it('resend to a method whose number is not allowed is refused the same way', async () => {
      const tenant = await tenantWithProvider('Resend');
      const u = await userWith(tenant, 'voice', '+14255550100');
      await adminQuery(
        h.db,
        `INSERT INTO user_methods (tenant_id, id, user_id, method, phone) VALUES ($1, gen_random_uuid(), $2, 'sms', '+19002345678')`,
        [tenant.id, u.id],
      );
      const started = await api(tenant).post('/v1/authentications', { userId: u.id, method: 'voice' });
      expect(started.status).toBe(201);
      const res = await api(tenant).post(`/v1/authentications/${started.body.id}/resend`, { method: 'sms' });
      expectError(res, 400, 'phone_number_not_allowed');
      expect(res.body.reason).toBe('premium_rate');
    });
  });

  describe('velocity caps', () => {
    it('over the tenant’s hourly cap for a country: 429 sms_velocity_exceeded with Retry-After; one audit entry', async () => {
      const tenant = await tenantWithProvider('Velocity');
      await api(tenant).patch(`/v1/tenants/${tenant.id}`, { smsVelocityPerHour: 2 }).expect(200);
      // Different prefixes, so only the country cap counts.
      const users = await Promise.all(
        ['+12125550100', '+13125550100', '+14155550100', '+16175550100'].map((p) => userWith(tenant, 'sms', p)),
      );
      for (const u of users.slice(0, 2)) {
        expect((await api(tenant).post('/v1/authentications', { userId: u.id, method: 'sms' })).status).toBe(201);
      }
      for (const u of users.slice(2)) {
        const res = await api(tenant).post('/v1/authentications', { userId: u.id, method: 'sms' });
        expectError(res, 429, 'sms_velocity_exceeded');
        expect(res.body.country).toBe('US');
        const retryAfter = Number(res.headers['retry-after']);
        expect(retryAfter).toBeGreaterThan(3500);
        expect(retryAfter).toBeLessThanOrEqual(3600);
      }
      expect(await counts(tenant.id)).toMatchObject({ auths: 2, messages: 2 });
      const audit = await api(tenant).get('/v1/audit-log?action=delivery.velocity_exceeded');
      expect(audit.body.items).toEqual([
        expect.objectContaining({ details: expect.objectContaining({ country: 'US', cap: 'country' }) }),
      ]);
      // Another country has its own budget.
      const ca = await userWith(tenant, 'sms', '+14165550123');
      expect((await api(tenant).post('/v1/authentications', { userId: ca.id, method: 'sms' })).status).toBe(201);
    });

    it('a burst of different numbers under one 6-digit prefix trips the same cap; the same number does not', async () => {
      const tenant = await tenantWithProvider('Burst');
      const users = await Promise.all(
        ['+12125550101', '+12125550102', '+12125550103', '+12125550104'].map((p) => userWith(tenant, 'sms', p)),
      );
      for (const u of users.slice(0, 3)) {
        expect((await api(tenant).post('/v1/authentications', { userId: u.id, method: 'sms' })).status).toBe(201);
      }
      const burst = await api(tenant).post('/v1/authentications', { userId: users[3].id, method: 'sms' });
      expectError(burst, 429, 'sms_velocity_exceeded');
      expect(Number(burst.headers['retry-after'])).toBeGreaterThan(0);
      // A number already seen under the prefix is a user asking again, not a walk over a range.
      expect((await api(tenant).post('/v1/authentications', { userId: users[0].id, method: 'sms' })).status).toBe(201);
    });

    it('the tenant’s setting is bounded by the operator ceiling', async () => {
      const res = await api(t).patch(`/v1/tenants/${t.id}`, { smsVelocityPerHour: 1001 });
      expectError(res, 400, 'validation_failed');
      expect(res.body.errors[0].field).toBe('smsVelocityPerHour');
      expect((await api(t).patch(`/v1/tenants/${t.id}`, { smsVelocityPerHour: 1000 })).status).toBe(200);
      expect((await api(t).patch(`/v1/tenants/${t.id}`, { smsVelocityPerHour: null })).body.smsVelocityPerHour).toBe(
        null,
      );
    });
  });
});
