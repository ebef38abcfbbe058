import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, DeliveryWorkerConfig } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { loggerModule } from '@twofold/platform/http';
import { WorkerModule } from '@twofold/platform/queue';
import { SendingModule } from './sending/sending.module';
import { SmsProcessor } from './sending/sms.processor';
import { VoiceProcessor } from './sending/voice.processor';

/** The delivery BullMQ worker process: sends SMS and places voice calls through Twilio. */
@Module({})
export class AppWorkerModule {
  static forRoot(config: DeliveryWorkerConfig): DynamicModule {
    return {
      module: AppWorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config, 'delivery-worker'),
        DbModule,
        WorkerModule.forRoot({ imports: [SendingModule], processors: [SmsProcessor, VoiceProcessor] }),
      ],
    };
  }
}
