import type { BillingUsageJob } from '@twofold/billing/contracts';
import type { DeliverySmsJob, DeliveryVoiceJob } from '@twofold/delivery/contracts';
import type { ReportingExportJob } from '@twofold/reporting/contracts';

/** One queue per concern. Every job carries its type, tenantId and an idempotency key (= job id). */
export interface JobMap {
  'delivery.sms': DeliverySmsJob;
  'delivery.voice': DeliveryVoiceJob;
  'billing.usage': BillingUsageJob;
  'reporting.export': ReportingExportJob;
}

export type QueueName = keyof JobMap;
export type JobOf<Q extends QueueName> = JobMap[Q];
export type JobType<Q extends QueueName> = JobMap[Q]['type'];

/** Every job type of each queue, so a worker can prove at boot that it handles all of them. */
export const JOB_TYPES: { [Q in QueueName]: readonly JobType<Q>[] } = {
  'delivery.sms': ['delivery.sms.send'],
  'delivery.voice': ['delivery.voice.call'],
  'billing.usage': ['billing.usage.report'],
  'reporting.export': ['reporting.export.run'],
};

export const QUEUE_NAMES = Object.keys(JOB_TYPES) as QueueName[];
