import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Server } from 'node:http';
import { APP_CONFIG, WorkerConfig } from '@twofold/platform/config';
import { MetricsAccess } from './access';
import { startMetricsListener } from './listener';

/** Opens a worker's metrics listener on METRICS_PORT at boot (0 = none) and closes it on shutdown. */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(@Inject(APP_CONFIG) private readonly config: WorkerConfig) {}

  /** The port bound, once listening. */
  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.METRICS_PORT) return;
    const access = new MetricsAccess({
      operatorKey: this.config.OPERATOR_API_KEY,
      allow: this.config.METRICS_ALLOW_CIDRS,
    });
    this.server = await startMetricsListener(this.config.METRICS_PORT, this.config.METRICS_HOST, access);
    this.logger.log(`metrics on ${this.config.METRICS_HOST}:${this.port ?? this.config.METRICS_PORT}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Imported by every worker process's root module. */
@Module({ providers: [MetricsListener], exports: [MetricsListener] })
export class MetricsListenerModule {}
