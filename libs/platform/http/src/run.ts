import cluster from 'node:cluster';
import { DynamicModule, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { BaseConfig, ConfigError, HttpConfig } from '@twofold/platform/config';
import { joinClusterMetrics, serveClusterMetrics } from '@twofold/platform/metrics';
import { createHttpApp, HttpAppOptions, listen } from './bootstrap';

function fail(error: unknown): never {
  // A config error lists each bad variable: print it plainly, without a stack.
  process.stderr.write(
    error instanceof ConfigError ? `${error.message}\n` : `${String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
}

/**
 * Nest's shutdown hooks close the app on SIGTERM/SIGINT (in-flight requests and jobs finish);
 * this watchdog makes sure a stuck close still ends the process after the grace period.
 */
function exitAfterGrace(seconds: number): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`shutdown took longer than ${seconds}s: exiting\n`);
        process.exit(1);
      }, seconds * 1000).unref();
    });
  }
}

/**
 * HTTP_PROCESSES > 1: this process forks that many workers sharing the port and supervises them:
 * a worker that dies is replaced (at most once a second), SIGTERM/SIGINT go to every worker and the
 * primary exits when they all have, with the first failing exit code.
 */
function supervise(processes: number, graceSeconds: number): void {
  let stopping = false;
  let exitCode = 0;
  let lastFork = 0;
  const fork = () => {
    lastFork = Date.now();
    cluster.fork();
  };
  for (let i = 0; i < processes; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code) exitCode ||= code;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    process.stderr.write(`http worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    setTimeout(fork, Math.max(0, 1_000 - (Date.now() - lastFork)));
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
  exitAfterGrace(graceSeconds + 5);
}

/** Entrypoint of an HTTP process: validate config, build, listen; SIGTERM/SIGINT close gracefully. */
export function runHttpService(
  build: () => { config: HttpConfig; module: DynamicModule },
  options: HttpAppOptions,
): void {
  (async () => {
    const { config, module } = build();
    if (config.HTTP_PROCESSES > 1 && cluster.isPrimary) {
      serveClusterMetrics();
      supervise(config.HTTP_PROCESSES, config.SHUTDOWN_GRACE_SECONDS);
      return;
    }
    // One /metrics answer for the whole cluster, whichever worker the scrape reaches (decision 0024).
    if (cluster.isWorker) joinClusterMetrics();
    exitAfterGrace(config.SHUTDOWN_GRACE_SECONDS);
    const app = await createHttpApp(module, config, options);
    await listen(app, config);
  })().catch(fail);
}

/** Entrypoint of a worker process: no HTTP, the workers start on bootstrap and drain on shutdown. */
export function runWorkerService(build: () => { config: BaseConfig; module: DynamicModule }): void {
  (async () => {
    const { config, module } = build();
    exitAfterGrace(config.SHUTDOWN_GRACE_SECONDS);
    const app = await NestFactory.createApplicationContext(module, { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    new NestLogger('worker').log('worker started');
  })().catch(fail);
}
