import { CommonErrorCode, DomainError } from '@twofold/platform/errors';

/** Who is calling. Taken from the credential only, never from the body or the path (STYLE: tenancy 1). */
export type Principal =
  | { kind: 'operator' }
  /** A tenant API key, with the permissions it was given (its scopes, docs/decisions/0031). */
  | { kind: 'tenant'; tenantId: string; apiKeyId: string; scopes: readonly string[] }
  /** A tenant admin signed in with password and TOTP (an admin session cookie, docs/decisions/0031). */
  | {
      kind: 'admin';
      tenantId: string;
      adminId: string;
      sessionId: string;
      role: string;
      /** The role's permissions, resolved when the session was verified. */
      permissions: readonly string[];
    }
  /** An on-premises MFA server (R12), authenticated with the credential it got at activation. */
  | { kind: 'mfa_server'; tenantId: string; serverId: string; providerId: string };

export type PrincipalKind = Principal['kind'];

/** Everyone acting inside one tenant (every principal but the platform operator). */
export type TenantPrincipal = Exclude<Principal, { kind: 'operator' }>;

/**
 * The permissions a principal holds, or null when permissions do not apply to it (the operator and
 * MFA servers are bounded by their audience instead).
 */
export function permissionsOf(principal: Principal): readonly string[] | null {
  switch (principal.kind) {
    case 'tenant':
      return principal.scopes;
    case 'admin':
      return principal.permissions;
    case 'operator':
    case 'mfa_server':
      return null;
  }
}

/**
 * Resolves one family of bearer credentials (recognised by prefix, e.g. `tfk_` tenant API keys,
 * `tfs_` MFA server credentials). Implemented by the owning domain's data-access lib.
 */
export interface CredentialVerifier {
  readonly prefix: string;
  verify(rawCredential: string): Promise<Principal | null>;
}

/**
 * docs/decisions/0026: thrown by a verifier whose credential is valid but whose tenant the operator
 * suspended. The guard answers 403 `tenant_suspended` (not 401: the credential itself is fine and
 * works again the moment the tenant is resumed).
 */
export function tenantSuspended(): DomainError {
  return new DomainError(
    CommonErrorCode.TenantSuspended,
    'forbidden',
    'This tenant is suspended by the platform operator; its API keys and server credentials are refused until it is resumed.',
  );
}

export const CREDENTIAL_VERIFIERS = Symbol('CREDENTIAL_VERIFIERS');
/** The platform operator key (from config), or null where an app has none. */
export const OPERATOR_KEY = Symbol('OPERATOR_KEY');

/** Credential kinds that must arrive over HTTPS (R28: MFA servers talk to the cloud over HTTPS only). */
export const HTTPS_ONLY_KINDS = Symbol('HTTPS_ONLY_KINDS');
