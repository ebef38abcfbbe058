import 'reflect-metadata';
import { runWorkerService } from '@twofold/platform/http';
import { loadWorkerConfig } from './config';
import { AppWorkerModule } from './worker.module';

runWorkerService(() => {
  const config = loadWorkerConfig();
  return { config, module: AppWorkerModule.forRoot(config) };
});
