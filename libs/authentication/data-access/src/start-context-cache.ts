import { Inject, Injectable, Optional } from '@nestjs/common';
import { TenantChanges, type TenantChange, type TenantChangeFeed } from '@twofold/platform/db';
import type { StartContext } from './authentication-sql.repository';

export const TENANT_SETTINGS_CACHE_MS = Symbol('TENANT_SETTINGS_CACHE_MS');

/** The per-tenant part of a start context: everything but the user, their methods and devices. */
export type TenantStartContext = Omit<StartContext, 'user' | 'methods' | 'activeDevices'>;

/** Entries kept at most; the oldest goes first when full (many tenants cannot grow the process). */
const MAX_ENTRIES = 10_000;

interface Entry {
  tenantId: string;
  part: TenantStartContext;
  until: number;
}

/**
 * The tenant part of an authentication's start context (tier, data region, method policy, app
 * passwords, delivery and routed countries, velocity cap, provider resolution, MFA server), kept per
 * process for at most TENANT_SETTINGS_CACHE_MS (docs/decisions/0029). Keyed by tenant id, provider id
 * and server id: another tenant's entry is never looked at. A change to any table it comes from
 * notifies every process at COMMIT (the `twofold_notify_tenant_settings` trigger), and each drops the
 * tenant's entries. Entries are kept and served only while the LISTEN connection is up; losing it, or
 * getting it back, drops everything. A read that started before an invalidation does not store its
 * (possibly older) answer. The clock is the process's monotonic one, not the application Clock.
 */
@Injectable()
export class StartContextCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a read that saw another epoch at its start does not store. */
  private epochNow = 0;

  constructor(
    @Inject(TENANT_SETTINGS_CACHE_MS) private readonly ttlMs: number,
    @Optional() @Inject(TenantChanges) private readonly feed?: TenantChangeFeed,
  ) {
    if (this.ttlMs > 0 && feed) feed.subscribe((change) => this.heard(change));
  }

  /** Off without a TTL, without a feed, and while the subscription is down. */
  get enabled(): boolean {
    return this.ttlMs > 0 && this.feed !== undefined && this.feed.listening;
  }

  /** Read before the statement that may fill an entry; pass it back to `set`. */
  get epoch(): number {
    return this.epochNow;
  }

  get(tenantId: string, providerId: string | null, serverId: string | null): TenantStartContext | null {
    if (!this.enabled) return null;
    const key = keyOf(tenantId, providerId, serverId);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.until <= performance.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.part;
  }

  set(
    tenantId: string,
    providerId: string | null,
    serverId: string | null,
    part: TenantStartContext,
    epoch: number,
  ): void {
    if (!this.enabled || epoch !== this.epochNow) return;
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(keyOf(tenantId, providerId, serverId), {
      tenantId,
      part: deepFreeze(part),
      until: performance.now() + this.ttlMs,
    });
  }

  forgetTenant(tenantId: string): void {
    this.epochNow++;
    for (const [key, entry] of this.entries) if (entry.tenantId === tenantId) this.entries.delete(key);
  }

  clear(): void {
    this.epochNow++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private heard(change: TenantChange): void {
    if (change.kind === 'tenant') this.forgetTenant(change.tenantId);
    else this.clear();
  }
}

const keyOf = (tenantId: string, providerId: string | null, serverId: string | null): string =>
  `${tenantId}/${providerId ?? '-'}/${serverId ?? '-'}`;

/** Shared by every request that hits the entry: nothing may change it in place. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
  }
  return value;
}
