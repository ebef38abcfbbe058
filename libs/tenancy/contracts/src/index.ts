/** Values other domains and apps read about tenants. */
export const DATA_REGIONS = ['us', 'eu', 'uk', 'ca', 'au'] as const;
export type DataRegionCode = (typeof DATA_REGIONS)[number];

export const TENANT_TIERS = ['free', 'standard'] as const;
export type TenantTierCode = (typeof TENANT_TIERS)[number];

/** Who made an admin change, for the audit log. */
export type Actor =
  | { type: 'operator' }
  | { type: 'api_key'; apiKeyId: string }
  /** A signed-in tenant admin (docs/decisions/0031). */
  | { type: 'admin'; adminId: string }
  | { type: 'mfa_server'; serverId: string }
  | { type: 'system'; name: string };
