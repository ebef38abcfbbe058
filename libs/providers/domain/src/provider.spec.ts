import { DomainError } from '@twofold/platform/errors';
import { assertBillingModelUnchanged, DEFAULT_RECORD_FIELDS, mergeRecordFields, resolveTenantLink } from './provider';

describe('R1 billing model is immutable', () => {
  it('accepts no change and the same value again', () => {
    expect(() => assertBillingModelUnchanged('per_user', undefined)).not.toThrow();
    expect(() => assertBillingModelUnchanged('per_user', 'per_user')).not.toThrow();
  });

  it('refuses a change with billing_model_immutable and says to create a new provider', () => {
    let error: unknown;
    try {
      assertBillingModelUnchanged('per_user', 'per_authentication');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('billing_model_immutable');
    expect((error as DomainError).kind).toBe('conflict');
    expect((error as DomainError).message).toMatch(/create a new provider/);
  });
});

describe('R7 tenant link', () => {
  const owner = '6f1c1c39-3c0e-4b3e-9c55-6a3f7d1f0a11';
  it('links to the owner by default, or to no tenant', () => {
    expect(resolveTenantLink(owner, undefined)).toBe(owner);
    expect(resolveTenantLink(owner, null)).toBeNull();
    expect(resolveTenantLink(owner, owner)).toBe(owner);
  });
  it('treats another tenant as not found', () => {
    expect(() => resolveTenantLink(owner, '00000000-0000-4000-8000-000000000000')).toThrow(/not found/);
  });
});

describe('R26 record fields', () => {
  it('keeps every optional field unless switched off', () => {
    expect(mergeRecordFields(null, undefined)).toEqual(DEFAULT_RECORD_FIELDS);
    expect(mergeRecordFields({ email: false }, { clientIp: false })).toMatchObject({
      email: false,
      clientIp: false,
      firstName: true,
    });
  });
});
