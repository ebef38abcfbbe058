import { DomainError } from '@twofold/platform/errors';
import { generateAppPassword, hashAppPassword, verifyAppPassword, APP_PASSWORD_ALPHABET } from './app-password';
import { authenticatorUri } from './authenticator';
import { assertMethodAllowed, effectivePolicy, planPolicyChange, resolveDefaultMethod } from './methods';
import { reasonsAfterChange, reasonsAfterReset, reasonsWithPolicy, registrationView } from './registration';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'not a DomainError';
  }
  return undefined;
}

describe('R9, R20 method policy', () => {
  it('no row means enabled; the free tier reads every non-app method as disabled', () => {
    const standard = effectivePolicy('standard', [{ method: 'sms', enabled: false }]);
    expect(standard).toMatchObject({ sms: false, voice: true, app_code: true });
    const free = effectivePolicy('free', [{ method: 'sms', enabled: true }]);
    expect(free).toEqual({
      app_notification: true,
      app_code: true,
      oath_token: false,
      sms: false,
      voice: false,
      app_password: false,
    });
  });

  it('R9: enabling sms on the free tier is refused; R20: newly disabled methods are reported', () => {
    const free = effectivePolicy('free', []);
    expect(codeOf(() => planPolicyChange('free', free, { sms: true }))).toBe('free_tier_method_not_allowed');
    const std = effectivePolicy('standard', [{ method: 'voice', enabled: false }]);
    expect(planPolicyChange('standard', std, { sms: false, voice: false, app_code: true }).newlyDisabled).toEqual([
      'sms',
    ]);
  });

  it('R9, R20: a disallowed method cannot be registered', () => {
    expect(codeOf(() => assertMethodAllowed('free', effectivePolicy('free', []), 'voice'))).toBe(
      'free_tier_method_not_allowed',
    );
    const std = effectivePolicy('standard', [{ method: 'sms', enabled: false }]);
    expect(codeOf(() => assertMethodAllowed('standard', std, 'sms'))).toBe('method_disabled');
    expect(codeOf(() => assertMethodAllowed('standard', std, 'voice'))).toBeUndefined();
  });

  it('keeps a usable default, else picks the strongest allowed interactive method', () => {
    const policy = effectivePolicy('standard', [{ method: 'app_notification', enabled: false }]);
    expect(resolveDefaultMethod('sms', ['sms', 'app_code'], policy)).toBe('sms');
    expect(resolveDefaultMethod(null, ['sms', 'app_notification', 'app_code'], policy)).toBe('app_code');
    expect(resolveDefaultMethod('voice', ['app_password'], policy)).toBeNull();
  });
});

describe('R19, R15 registration reasons', () => {
  it('derives mfa_enabled_nothing_registered (app passwords do not count)', () => {
    expect(registrationView([], true, [])).toEqual({
      registrationRequired: true,
      reasons: ['mfa_enabled_nothing_registered'],
    });
    expect(registrationView([], true, ['app_password']).reasons).toEqual(['mfa_enabled_nothing_registered']);
    expect(registrationView([], false, [])).toEqual({ registrationRequired: false, reasons: [] });
    expect(registrationView(['sspr_enabled'], true, ['sms']).reasons).toEqual(['sspr_enabled']);
  });

  it('registering clears reset_by_admin, and method_disabled once there is a default', () => {
    expect(reasonsAfterChange(['reset_by_admin', 'method_disabled', 'sspr_enabled'], ['sms'], 'sms')).toEqual([
      'sspr_enabled',
    ]);
    expect(reasonsAfterChange(['reset_by_admin', 'method_disabled'], ['app_password'], null)).toEqual([
      'reset_by_admin',
      'method_disabled',
    ]);
  });

  it('R15: a reset keeps policy reasons and adds reset_by_admin; admins set only policy reasons', () => {
    expect(reasonsAfterReset(['method_disabled', 'conditional_access'])).toEqual([
      'reset_by_admin',
      'conditional_access',
    ]);
    expect(reasonsWithPolicy(['reset_by_admin', 'sspr_enabled'], ['registration_policy'])).toEqual([
      'reset_by_admin',
      'registration_policy',
    ]);
  });
});

describe('authenticator activation', () => {
  it('builds the otpauth URI with an encoded user name', () => {
    const seed = Buffer.from('12345678901234567890');
    expect(authenticatorUri('ann lee@contoso.example', seed)).toBe(
      'otpauth://totp/Twofold:ann%20lee%40contoso.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Twofold&algorithm=SHA1&digits=6&period=30',
    );
  });
});

describe('R16, R17 app passwords', () => {
  it('are 16 characters of the unambiguous alphabet', () => {
    const pw = generateAppPassword();
    expect(pw).toHaveLength(16);
    for (const ch of pw) expect(APP_PASSWORD_ALPHABET).toContain(ch);
    expect(APP_PASSWORD_ALPHABET).not.toMatch(/[0O1lI]/);
  });

  it('hash with scrypt and a per-password salt, and verify', async () => {
    const pw = generateAppPassword();
    const a = await hashAppPassword(pw);
    const b = await hashAppPassword(pw);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(pw);
    await expect(verifyAppPassword(pw, a)).resolves.toBe(true);
    await expect(verifyAppPassword(`${pw}x`, a)).resolves.toBe(false);
    await expect(verifyAppPassword(pw, 'scrypt$1$1$1$x$y')).resolves.toBe(false);
    await expect(verifyAppPassword(pw, 'bcrypt$whatever')).resolves.toBe(false);
  });
});
