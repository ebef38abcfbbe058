import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { CommonErrorCode } from '@twofold/platform/errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The refusal's error code (R29), on the HTTP services and on the workers' metrics listeners. */
export const METRICS_ACCESS_DENIED = CommonErrorCode.MetricsAccessDenied;
export const METRICS_ACCESS_DENIED_MESSAGE =
  'Metrics are served to the platform operator key (Authorization: Bearer) or to the addresses in METRICS_ALLOW_CIDRS.';

export interface MetricsAccessSettings {
  /** The platform operator key; null where the process has none (then only the allow-list). */
  operatorKey: string | null | undefined;
  /** Addresses and CIDRs (already validated by the config) that may scrape without a key. */
  allow: readonly string[];
}

/**
 * Who may read /metrics (docs/decisions/0024): the operator key, compared in constant time, or a
 * client address in the allow-list. The address is the one the HTTP adapter trusts (TRUST_PROXY,
 * decision 0021) on the services, and the socket's peer on the workers' listeners.
 */
export class MetricsAccess {
  private readonly operatorDigest: Buffer | null;
  private readonly allowed = new BlockList();
  private readonly anyAllowed: boolean;

  constructor(settings: MetricsAccessSettings) {
    this.operatorDigest = settings.operatorKey ? digest(settings.operatorKey) : null;
    for (const entry of settings.allow) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.allowed.addAddress(address, family);
      else this.allowed.addSubnet(address, Number(prefix), family);
    }
    this.anyAllowed = settings.allow.length > 0;
  }

  allows(clientIp: string | undefined, authorization: string | undefined): boolean {
    if (this.operatorDigest && typeof authorization === 'string') {
      const match = /^Bearer ([^\s]+)$/i.exec(authorization.trim());
      if (match?.[1] && timingSafeEqual(digest(match[1]), this.operatorDigest)) return true;
    }
    return this.anyAllowed && clientIp !== undefined && this.addressAllowed(clientIp);
  }

  private addressAllowed(ip: string): boolean {
    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d: match it against IPv4 entries too.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped?.[1]) return this.allowed.check(mapped[1], 'ipv4') || this.allowed.check(ip, 'ipv6');
    const family = isIP(ip);
    if (family === 0) return false;
    return this.allowed.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  }
}
