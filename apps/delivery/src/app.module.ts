import { DynamicModule, Module } from '@nestjs/common';
import {
  DeliveryOutcomeRepository,
  MessageRepository,
  OutboxRepository,
  SenderRepository,
} from '@twofold/delivery/data-access';
import { AuthModule } from '@twofold/platform/auth';
import { AppConfigModule, DeliveryConfig } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { HealthModule, loggerModule } from '@twofold/platform/http';
import { QueueMetricsModule, QueueModule } from '@twofold/platform/queue';
import { secretBoxProvider } from './common/secret-box.provider';
import { VoiceFallback } from './common/voice-fallback';
import { SenderRoutesController, ShortCodesController } from './senders/senders.controller';
import { SendersService } from './senders/senders.service';
import { TwilioStatusController } from './status/twilio-status.controller';
import { TwilioStatusService } from './status/twilio-status.service';

/** The delivery HTTP process: Twilio status callbacks and the operator's sender management. */
@Module({})
export class AppModule {
  static forRoot(config: DeliveryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config, 'delivery'),
        DbModule,
        QueueModule,
        QueueMetricsModule.forRoot(['delivery.sms', 'delivery.voice']),
        HealthModule,
        AuthModule.forRoot({ verifiers: [], operatorKey: config.OPERATOR_API_KEY }),
      ],
      controllers: [TwilioStatusController, ShortCodesController, SenderRoutesController],
      providers: [
        secretBoxProvider,
        MessageRepository,
        SenderRepository,
        DeliveryOutcomeRepository,
        OutboxRepository,
        VoiceFallback,
        TwilioStatusService,
        SendersService,
      ],
    };
  }
}
