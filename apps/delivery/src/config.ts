import { deliveryConfigSchema, deliveryWorkerConfigSchema, Env, loadConfig } from '@twofold/platform/config';

export const loadHttpConfig = (env?: Env) => loadConfig(deliveryConfigSchema, env);
export const loadWorkerConfig = (env?: Env) => loadConfig(deliveryWorkerConfigSchema, env);
