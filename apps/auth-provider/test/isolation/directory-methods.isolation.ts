import { bearer, createUser } from '../harness';
import type { IsolationFeature } from './feature';

const PHONE = { method: 'sms', phoneNumber: '+14255550100' };

/** Methods, registration, authenticator activations and app passwords of a user of tenant A. */
export const directoryMethods: IsolationFeature = {
  name: 'methods, registration, devices, app passwords',
  cases: [
    { method: 'get', path: '/v1/users/{id}/methods' },
    { method: 'post', path: '/v1/users/{id}/methods', body: { method: 'voice', phoneNumber: '+14255550100' } },
    { method: 'delete', path: '/v1/users/{id}/methods/{method}' },
    { method: 'put', path: '/v1/users/{id}/default-method', body: { method: 'sms' } },
    { method: 'get', path: '/v1/users/{id}/registration' },
    { method: 'put', path: '/v1/users/{id}/registration-requirements', body: { reasons: ['sspr_enabled'] } },
    { method: 'post', path: '/v1/users/{id}/reset' },
    { method: 'post', path: '/v1/users/{id}/devices', body: {} },
    { method: 'get', path: '/v1/users/{id}/devices' },
    { method: 'delete', path: '/v1/users/{id}/devices/{deviceId}' },
    { method: 'post', path: '/v1/users/{id}/app-passwords', body: { name: 'hijack' } },
    { method: 'get', path: '/v1/users/{id}/app-passwords' },
    { method: 'delete', path: '/v1/users/{id}/app-passwords' },
    { method: 'delete', path: '/v1/users/{id}/app-passwords/{appPasswordId}' },
  ],
  async seed(h, a) {
    const user = await createUser(h, a, { mfaEnabled: true });
    const u = `/v1/users/${user.id}`;
    await h.http().patch(`/v1/tenants/${a.id}`).set(bearer(a.apiKey)).send({ appPasswordsAllowed: true });
    await h.http().post(`${u}/methods`).set(bearer(a.apiKey)).send(PHONE);
    const device = await h.http().post(`${u}/devices`).set(bearer(a.apiKey)).send({});
    const appPassword = await h.http().post(`${u}/app-passwords`).set(bearer(a.apiKey)).send({ name: 'Mail' });
    return {
      '/v1/users/{id}/methods': `${u}/methods`,
      // The query string only keeps "sms" from reading as an object id in the list check of
      // cross-tenant.test.ts (it takes each URL's last segment; GET /v1/method-policy names every method).
      '/v1/users/{id}/methods/{method}': `${u}/methods/sms`,
      '/v1/users/{id}/default-method': `${u}/default-method`,
      '/v1/users/{id}/registration': `${u}/registration`,
      '/v1/users/{id}/registration-requirements': `${u}/registration-requirements`,
      '/v1/users/{id}/reset': `${u}/reset`,
      '/v1/users/{id}/devices': `${u}/devices`,
      '/v1/users/{id}/devices/{deviceId}': `${u}/devices/${device.body.id}`,
      '/v1/users/{id}/app-passwords': `${u}/app-passwords`,
      '/v1/users/{id}/app-passwords/{appPasswordId}': `${u}/app-passwords/${appPassword.body.id}`,
    };
  },
  async verifyUntouched(h, a, urls) {
    const get = (key: string) =>
      h
        .http()
        .get(urls[key] as string)
        .set(bearer(a.apiKey));
    const methods = await get('/v1/users/{id}/methods');
    expect(methods.body.items.map((m: { method: string }) => m.method).sort()).toEqual([
      'app_code',
      'app_notification',
      'sms',
    ]);
    expect(methods.body.defaultMethod).toBe('sms');
    expect((await get('/v1/users/{id}/registration')).body).toEqual({ registrationRequired: false, reasons: [] });
    const devices = await get('/v1/users/{id}/devices');
    expect(devices.body.items).toEqual([expect.objectContaining({ active: true })]);
    expect((await get('/v1/users/{id}/app-passwords')).body.items).toHaveLength(1);
  },
};
