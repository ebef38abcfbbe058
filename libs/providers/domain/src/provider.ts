import { ProviderErrors } from './providers.errors';

export const BILLING_MODELS = ['per_user', 'per_authentication'] as const;
export type BillingModel = (typeof BILLING_MODELS)[number];

/** R22/R23: phone numbers (caller IDs included) are E.164. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * R26: an authentication record always keeps the user's unique id, the mode, the result and the
 * deny reason; each provider chooses whether it also keeps these optional fields.
 */
export const OPTIONAL_RECORD_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phoneNumber',
  'deviceToken',
  'serverName',
  'serverIp',
  'clientIp',
] as const;
export type OptionalRecordField = (typeof OPTIONAL_RECORD_FIELDS)[number];
export type RecordFieldSettings = Record<OptionalRecordField, boolean>;

/** By default a provider keeps everything R26 lists; an admin can switch fields off. */
export const DEFAULT_RECORD_FIELDS: RecordFieldSettings = Object.fromEntries(
  OPTIONAL_RECORD_FIELDS.map((f) => [f, true]),
) as RecordFieldSettings;

export function mergeRecordFields(
  current: Partial<RecordFieldSettings> | null | undefined,
  change: Partial<RecordFieldSettings> | undefined,
): RecordFieldSettings {
  return { ...DEFAULT_RECORD_FIELDS, ...(current ?? {}), ...(change ?? {}) };
}

/** R1: the billing model is chosen at creation and never changes. Same value again is allowed. */
export function assertBillingModelUnchanged(current: BillingModel, requested: BillingModel | undefined): void {
  if (requested !== undefined && requested !== current) throw ProviderErrors.billingModelImmutable(current, requested);
}

/**
 * R7: a provider is either linked to its owner's tenant (serves the tenant's cloud users, may use
 * licenses) or not linked (serves only MFA servers). `undefined` means "link to my tenant".
 * Linking to another tenant (R8) is a separate, explicit operation.
 */
export function resolveTenantLink(ownerTenantId: string, requested: string | null | undefined): string | null {
  if (requested === undefined) return ownerTenantId;
  if (requested === null) return null;
  if (requested !== ownerTenantId) throw ProviderErrors.tenantNotFound();
  return ownerTenantId;
}
