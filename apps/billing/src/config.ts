import { billingConfigSchema, Env, loadConfig, workerConfigSchema } from '@twofold/platform/config';

export const loadHttpConfig = (env?: Env) => loadConfig(billingConfigSchema, env);
export const loadWorkerConfig = (env?: Env) => loadConfig(workerConfigSchema, env);
