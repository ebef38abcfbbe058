import { authProviderConfigSchema, AuthProviderConfig, Env, loadConfig } from '@twofold/platform/config';

export type { AuthProviderConfig };

export function loadAuthProviderConfig(env?: Env): AuthProviderConfig {
  return loadConfig(authProviderConfigSchema, env);
}
