import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, BaseConfig } from '@twofold/platform/config';

/** The channel the `twofold_notify_tenant_settings` trigger announces on (docs/decisions/0029). */
export const TENANT_SETTINGS_CHANNEL = 'twofold_tenant_settings';

/**
 * What a cache of tenant settings hears: `tenant` (that tenant's settings changed), `all` (a
 * platform-wide table changed: short codes, sender routes), or `reset` (the subscription was lost or
 * has just been made: nothing kept before it can be trusted).
 */
export type TenantChange = { kind: 'tenant'; tenantId: string } | { kind: 'all' } | { kind: 'reset' };

/** The part of `TenantChanges` a cache needs (the hot-path catalogue passes a feed that is always on). */
export interface TenantChangeFeed {
  /** True while the LISTEN connection is up: a cache may keep and serve entries only then. */
  readonly listening: boolean;
  subscribe(listener: (change: TenantChange) => void): void;
}

/** Wait before reconnecting after the LISTEN connection was lost (doubles up to the maximum). */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

/**
 * One LISTEN connection per process on `twofold_tenant_settings` (docs/decisions/0029): the trigger on
 * every table of a tenant's start context notifies at COMMIT with the tenant's id. Connected on the
 * first subscription only, so a process without a settings cache holds no extra connection. When the
 * connection drops, subscribers hear `reset` at once (and stop serving), and again once LISTEN is back:
 * notifications sent in between were lost, so everything kept before is dropped.
 */
@Injectable()
export class TenantChanges implements TenantChangeFeed, OnApplicationShutdown {
  private readonly logger = new Logger(TenantChanges.name);
  private readonly listeners: ((change: TenantChange) => void)[] = [];
  private client: Client | null = null;
  private started = false;
  private closed = false;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private up = false;

  constructor(@Inject(APP_CONFIG) private readonly config: BaseConfig) {}

  get listening(): boolean {
    return this.up;
  }

  subscribe(listener: (change: TenantChange) => void): void {
    this.listeners.push(listener);
    if (!this.started) {
      this.started = true;
      void this.connect();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    this.lost();
    await client?.end().catch(() => undefined);
  }

  private emit(change: TenantChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private lost(): void {
    this.up = false;
    this.emit({ kind: 'reset' });
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({
      connectionString: this.config.DATABASE_URL,
      application_name: 'twofold-listen',
      keepAlive: true,
    });
    this.client = client;
    let failed = false;
    const fail = (error?: Error) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      this.lost();
      if (this.closed) return;
      this.logger.warn({ err: error?.message, retryMs: this.retryMs }, 'tenant settings subscription lost');
      this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
    };
    client.on('error', fail);
    client.on('end', () => fail());
    client.on('notification', (message) => {
      if (message.channel !== TENANT_SETTINGS_CHANNEL) return;
      this.emit(message.payload === '*' ? { kind: 'all' } : { kind: 'tenant', tenantId: message.payload ?? '' });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TENANT_SETTINGS_CHANNEL}`);
    } catch (error) {
      fail(error as Error);
      return;
    }
    if (failed || this.closed) return;
    this.retryMs = RECONNECT_MIN_MS;
    // Whatever was kept while no one listened is dropped before serving from the cache again.
    this.emit({ kind: 'reset' });
    this.up = true;
  }
}
