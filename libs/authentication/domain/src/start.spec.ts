import { DomainError } from '@twofold/platform/errors';
import { chooseProvider, decideStart, MethodFacts, usableMethod } from './start';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'not a DomainError';
  }
  return undefined;
};

describe('decideStart (R17, R18)', () => {
  const facts = { method: 'sms' as const, primaryPassword: false, mfaEnabled: true, activeDevices: 1 };

  it('R17: the normal password of an MFA-enabled account on an app-password start is denied app_password_required', () => {
    expect(decideStart({ ...facts, method: 'app_password', primaryPassword: true })).toEqual({
      status: 'denied',
      reason: 'app_password_required',
    });
    // not MFA-enabled, or no normal password: the app password is checked at verify
    expect(decideStart({ ...facts, method: 'app_password', primaryPassword: true, mfaEnabled: false })).toEqual({
      status: 'pending',
    });
    expect(decideStart({ ...facts, method: 'app_password' })).toEqual({ status: 'pending' });
  });

  it('R18: app methods without an active activation are denied account_not_activated; others are not', () => {
    for (const method of ['app_notification', 'app_code'] as const)
      expect(decideStart({ ...facts, method, activeDevices: 0 })).toEqual({
        status: 'denied',
        reason: 'account_not_activated',
      });
    expect(decideStart({ ...facts, method: 'app_code', activeDevices: 2 })).toEqual({ status: 'pending' });
    expect(decideStart({ ...facts, method: 'sms', activeDevices: 0 })).toEqual({ status: 'pending' });
  });
});

describe('usableMethod (R9, R11, R17, R20)', () => {
  const all = {
    app_notification: true,
    app_code: true,
    oath_token: true,
    sms: true,
    voice: true,
    app_password: true,
  };
  const base: MethodFacts = {
    tier: 'standard',
    enabled: all,
    appPasswordsAllowed: false,
    methods: [
      { method: 'sms', phone: null },
      { method: 'voice', phone: '+14155550100' },
      { method: 'app_code', phone: null },
    ],
    userPhone: '+14155550199',
  };

  it('a phone method goes to its own number, else the user’s; other methods to none', () => {
    expect(usableMethod(base, 'voice')).toBe('+14155550100');
    expect(usableMethod(base, 'sms')).toBe('+14155550199');
    expect(usableMethod(base, 'app_code')).toBeNull();
  });

  it('refusals, each with its code', () => {
    expect(codeOf(() => usableMethod({ ...base, tier: 'free' }, 'sms'))).toBe('free_tier_method_not_allowed');
    expect(codeOf(() => usableMethod({ ...base, enabled: { ...all, sms: false } }, 'sms'))).toBe('method_disabled');
    expect(codeOf(() => usableMethod(base, 'oath_token'))).toBe('method_not_registered');
    expect(codeOf(() => usableMethod({ ...base, userPhone: null }, 'sms'))).toBe('no_phone_number');
    expect(codeOf(() => usableMethod(base, 'app_password'))).toBe('app_passwords_not_allowed');
  });

  it('R17: app passwords need the tenant’s permission, not a registration', () => {
    expect(usableMethod({ ...base, appPasswordsAllowed: true }, 'app_password')).toBeNull();
  });
});

describe('chooseProvider (R7, R12)', () => {
  const tenant = 't1';
  const linked = { id: 'p1', linkedTenantId: tenant };
  const unlinked = { id: 'p2', linkedTenantId: null };
  const other = { id: 'p3', linkedTenantId: tenant };

  it('an MFA server uses its own provider, and may not ask for another', () => {
    expect(chooseProvider(tenant, { serverProviderId: 'p2' }, undefined, [unlinked])).toBe(unlinked);
    expect(codeOf(() => chooseProvider(tenant, { serverProviderId: 'p2' }, 'p1', [linked, unlinked]))).toBe(
      'provider_not_found',
    );
    expect(codeOf(() => chooseProvider(tenant, { serverProviderId: 'p9' }, undefined, [linked]))).toBe(
      'provider_not_found',
    );
  });

  it('R7: an application may name a provider linked to its tenant, not one without a link', () => {
    expect(chooseProvider(tenant, { serverProviderId: null }, 'p1', [linked, unlinked])).toBe(linked);
    expect(codeOf(() => chooseProvider(tenant, { serverProviderId: null }, 'p2', [linked, unlinked]))).toBe(
      'provider_not_found',
    );
  });

  it('without a name: the only linked provider; none or two are refused', () => {
    expect(chooseProvider(tenant, { serverProviderId: null }, undefined, [linked])).toBe(linked);
    expect(codeOf(() => chooseProvider(tenant, { serverProviderId: null }, undefined, []))).toBe('no_provider');
    expect(codeOf(() => chooseProvider(tenant, { serverProviderId: null }, undefined, [linked, other]))).toBe(
      'provider_required',
    );
  });
});
