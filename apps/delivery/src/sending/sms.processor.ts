import { Injectable } from '@nestjs/common';
import type { SendSmsJob } from '@twofold/delivery/contracts';
import type { JobContext, JobProcessor } from '@twofold/platform/queue';
import { SendingService } from './sending.service';

@Injectable()
export class SmsProcessor implements JobProcessor<'delivery.sms'> {
  readonly queue = 'delivery.sms' as const;
  readonly type = 'delivery.sms.send' as const;

  constructor(private readonly sending: SendingService) {}

  handle(job: SendSmsJob, ctx: JobContext): Promise<void> {
    return this.sending.sendSms(job, ctx);
  }
}
