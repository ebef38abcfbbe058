import 'reflect-metadata';
import { runHttpService } from '@twofold/platform/http';
import { AppModule } from './app.module';
import { loadHttpConfig } from './config';

runHttpService(
  () => {
    const config = loadHttpConfig();
    return { config, module: AppModule.forRoot(config) };
  },
  {
    title: 'Twofold billing service',
    description: 'Billing: Stripe webhooks and usage.',
  },
);
