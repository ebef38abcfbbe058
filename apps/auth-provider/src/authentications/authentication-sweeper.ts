import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@twofold/platform/config';
import type { AuthProviderConfig } from '../config';
import { AuthenticationsService } from './authentications.service';

/**
 * Closes authentications nobody came back for, so each still ends in exactly one record. Safe on
 * every replica at once: each close locks its row and re-checks that it is still pending.
 */
@Injectable()
export class AuthenticationSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuthenticationSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuthProviderConfig,
    private readonly authentications: AuthenticationsService,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.AUTH_SWEEP_INTERVAL_SECONDS;
    if (seconds === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.authentications
        .sweepExpired()
        .catch((error: unknown) =>
          this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'sweep failed'),
        )
        .finally(() => (this.running = undefined));
    }, seconds * 1000);
    this.timer.unref();
  }

  /** Before the last phase, which closes the database pool the loop uses. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
