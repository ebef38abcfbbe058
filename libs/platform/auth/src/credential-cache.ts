import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { TenantPrincipal } from './principal';

export const CREDENTIAL_CACHE_MS = Symbol('CREDENTIAL_CACHE_MS');

/** Entries kept at most; the oldest goes first when full (a flood of keys cannot grow the process). */
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: TenantPrincipal;
  until: number;
}

/**
 * Verified tenant API keys and MFA server credentials, kept for at most CREDENTIAL_CACHE_MS (≤ 1 s)
 * so most requests skip the credential lookup's round trip (issue 17). Only credentials that were
 * accepted are kept: a refusal (unknown, revoked, suspended tenant) is asked again every time, so a
 * resumed tenant works at once. A revocation or suspension in this process forgets the tenant's
 * entries at once (`forgetTenant`); one in another process takes effect here within the TTL. Keys
 * are SHA-256 digests of the credentials: the raw secrets are not kept. The clock is the process's
 * monotonic one, not the application Clock (a test's fake clock must not keep a revoked key alive).
 */
@Injectable()
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();

  constructor(@Inject(CREDENTIAL_CACHE_MS) private readonly ttlMs: number) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get(credential: string): TenantPrincipal | null {
    if (!this.enabled) return null;
    const key = digest(credential);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.until <= performance.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.principal;
  }

  set(credential: string, principal: TenantPrincipal): void {
    if (!this.enabled) return;
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(digest(credential), { principal, until: performance.now() + this.ttlMs });
  }

  /** Drops every credential of the tenant (after a revocation, suspension or deletion). */
  forgetTenant(tenantId: string): void {
    for (const [key, entry] of this.entries) if (entry.principal.tenantId === tenantId) this.entries.delete(key);
  }
}

const digest = (credential: string): string => createHash('sha256').update(credential).digest('base64');
