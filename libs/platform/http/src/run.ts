import { DynamicModule, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, HttpConfig } from '@twofold/platform/config';
import { createHttpApp, HttpAppOptions, listen } from './bootstrap';

function fail(error: unknown): never {
  // A config error lists each bad variable: print it plainly, without a stack.
  process.stderr.write(
    error instanceof ConfigError ? `${error.message}\n` : `${String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
}

/** Entrypoint of an HTTP process: validate config, build, listen; SIGTERM/SIGINT close gracefully. */
export function runHttpService(
  build: () => { config: HttpConfig; module: DynamicModule },
  options: HttpAppOptions,
): void {
  (async () => {
    const { config, module } = build();
    const app = await createHttpApp(module, config, options);
    await listen(app, config);
  })().catch(fail);
}

/** Entrypoint of a worker process: no HTTP, the workers start on bootstrap and drain on shutdown. */
export function runWorkerService(build: () => DynamicModule): void {
  (async () => {
    const module = build();
    const app = await NestFactory.createApplicationContext(module, { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    new NestLogger('worker').log('worker started');
  })().catch(fail);
}
