import 'reflect-metadata';
import { runHttpService } from '@twofold/platform/http';
import { AppModule } from './app.module';
import { loadAuthProviderConfig } from './config';
import { OPENAPI } from './openapi';

runHttpService(() => {
  const config = loadAuthProviderConfig();
  return { config, module: AppModule.forRoot(config) };
}, OPENAPI);
