import { deliveryConfigSchema, Env, loadConfig, workerConfigSchema } from '@twofold/platform/config';

export const loadHttpConfig = (env?: Env) => loadConfig(deliveryConfigSchema, env);
export const loadWorkerConfig = (env?: Env) => loadConfig(workerConfigSchema, env);
