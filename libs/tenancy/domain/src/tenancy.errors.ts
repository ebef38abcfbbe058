import { DomainError, NotFoundError } from '@twofold/platform/errors';

export enum TenancyErrorCode {
  TenantNotFound = 'tenant_not_found',
  ApiKeyNotFound = 'api_key_not_found',
  LastApiKey = 'last_api_key',
  DataRegionImmutable = 'data_region_immutable',
  /** docs/decisions/0026: the grace is over and the deletion has started (or ended). */
  TenantDeletionStarted = 'tenant_deletion_started',
  RetentionOutOfBounds = 'retention_out_of_bounds',
}

export const TenancyErrors = {
  /** docs/decisions/0025: a tenant's retention outside the operator's bounds. */
  retentionOutOfBounds: (field: string, problem: string) =>
    new DomainError(TenancyErrorCode.RetentionOutOfBounds, 'invalid', `${field} ${problem}.`, {
      errors: [{ field, problems: [problem] }],
    }),
  tenantNotFound: () => new NotFoundError(TenancyErrorCode.TenantNotFound, 'The tenant'),
  apiKeyNotFound: () => new NotFoundError(TenancyErrorCode.ApiKeyNotFound, 'The API key'),
  lastApiKey: () =>
    new DomainError(
      TenancyErrorCode.LastApiKey,
      'conflict',
      'This is the tenant’s last active API key; create another one before revoking it, or the tenant is locked out.',
    ),
  dataRegionImmutable: () =>
    new DomainError(
      TenancyErrorCode.DataRegionImmutable,
      'conflict',
      'A tenant’s data region cannot change: its records are kept in that region (R27).',
    ),
  tenantDeletionStarted: () =>
    new DomainError(
      TenancyErrorCode.TenantDeletionStarted,
      'conflict',
      'This tenant’s deletion grace is over and its deletion has started; it can no longer be suspended, resumed or deleted again.',
    ),
};
