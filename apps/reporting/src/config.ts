import { reportingConfigSchema, Env, loadConfig, workerConfigSchema } from '@twofold/platform/config';

export const loadHttpConfig = (env?: Env) => loadConfig(reportingConfigSchema, env);
export const loadWorkerConfig = (env?: Env) => loadConfig(workerConfigSchema, env);
