import { z } from 'zod';
import { Env, loadConfig, reportingConfigSchema, workerConfigSchema } from '@twofold/platform/config';

/** Where export files go and how long they stay (R27: one folder per data region). */
const exportSettings = z.object({
  EXPORT_DIR: z.string().min(1).default('tmp/exports'),
  EXPORT_RETENTION_HOURS: z.coerce
    .number({ invalid_type_error: 'must be a whole number from 1 to 8760' })
    .int()
    .min(1, 'must be a whole number from 1 to 8760')
    .max(8760, 'must be a whole number from 1 to 8760')
    .default(72),
});

export const reportingHttpSchema = reportingConfigSchema.merge(exportSettings);
export const reportingWorkerSchema = workerConfigSchema.merge(exportSettings);
export type ReportingHttpConfig = z.infer<typeof reportingHttpSchema>;
export type ReportingWorkerConfig = z.infer<typeof reportingWorkerSchema>;

export const loadHttpConfig = (env?: Env): ReportingHttpConfig => loadConfig(reportingHttpSchema, env);
export const loadWorkerConfig = (env?: Env): ReportingWorkerConfig => loadConfig(reportingWorkerSchema, env);
