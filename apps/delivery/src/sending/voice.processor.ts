import { Injectable } from '@nestjs/common';
import type { PlaceVoiceCallJob } from '@twofold/delivery/contracts';
import type { JobContext, JobProcessor } from '@twofold/platform/queue';
import { SendingService } from './sending.service';

@Injectable()
export class VoiceProcessor implements JobProcessor<'delivery.voice'> {
  readonly queue = 'delivery.voice' as const;
  readonly type = 'delivery.voice.call' as const;

  constructor(private readonly sending: SendingService) {}

  handle(job: PlaceVoiceCallJob, ctx: JobContext): Promise<void> {
    return this.sending.placeCall(job, ctx);
  }
}
