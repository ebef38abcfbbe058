/** Who is calling. Taken from the credential only, never from the body or the path (STYLE: tenancy 1). */
export type Principal = { kind: 'operator' } | { kind: 'tenant'; tenantId: string; apiKeyId: string };

/** Looks up a tenant API key. Implemented by the tenancy data-access lib and wired by the app. */
export interface ApiKeyVerifier {
  verify(rawKey: string): Promise<{ tenantId: string; apiKeyId: string } | null>;
}

export const API_KEY_VERIFIER = Symbol('API_KEY_VERIFIER');
/** The platform operator key (from config), or null where an app has none. */
export const OPERATOR_KEY = Symbol('OPERATOR_KEY');
