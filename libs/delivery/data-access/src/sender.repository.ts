import { Injectable } from '@nestjs/common';
import { DbService, Prisma } from '@twofold/platform/db';
import type { PoolEntry, RouteEntry, ShortCodeCountry } from '@twofold/delivery/domain';

export interface ShortCodeRow {
  id: string;
  country: ShortCodeCountry;
  code: string;
  enabled: boolean;
  rateLimitPerSecond: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SenderRouteRow {
  id: string;
  country: string;
  kind: 'long_code' | 'alphanumeric';
  sender: string;
  enabled: boolean;
  rateLimitPerSecond: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SenderChange {
  enabled?: boolean;
  rateLimitPerSecond?: number | null;
}

type Tx = Prisma.TransactionClient;

/**
 * Short codes and sender routes (R21, R22): platform tables without tenant, managed by operators.
 * The sender reads them for every message (no cache), so a change or removal applies to the very
 * next message of every worker process.
 */
@Injectable()
export class SenderRepository {
  constructor(private readonly db: DbService) {}

  /** Enabled senders for one recipient country, read inside the sender's transaction. */
  async forCountry(tx: Tx, country: string): Promise<{ shortCodes: PoolEntry[]; routes: RouteEntry[] }> {
    const pool = country === 'US' || country === 'CA' ? country : null;
    const [shortCodes, routes] = await Promise.all([
      pool
        ? tx.shortCode.findMany({ where: { country: pool, enabled: true }, orderBy: { code: 'asc' } })
        : Promise.resolve([]),
      pool
        ? Promise.resolve([])
        : tx.senderRoute.findMany({ where: { country, enabled: true }, orderBy: { sender: 'asc' } }),
    ]);
    return {
      shortCodes: shortCodes.map((c) => ({
        sender: c.code,
        enabled: c.enabled,
        rateLimitPerSecond: c.rateLimitPerSecond,
      })),
      routes: routes.map((r) => ({
        sender: r.sender,
        enabled: r.enabled,
        rateLimitPerSecond: r.rateLimitPerSecond,
        country: r.country,
        kind: r.kind,
      })),
    };
  }

  listShortCodes(): Promise<ShortCodeRow[]> {
    return this.db.client.shortCode.findMany({ orderBy: [{ country: 'asc' }, { code: 'asc' }] });
  }

  addShortCode(input: {
    country: ShortCodeCountry;
    code: string;
    rateLimitPerSecond?: number | null;
  }): Promise<ShortCodeRow> {
    return this.db.client.shortCode.create({ data: { ...input, enabled: true } });
  }

  /** null when there is no such code. */
  async updateShortCode(id: string, change: SenderChange): Promise<ShortCodeRow | null> {
    const { count } = await this.db.client.shortCode.updateMany({ where: { id }, data: change });
    return count ? this.db.client.shortCode.findUnique({ where: { id } }) : null;
  }

  async removeShortCode(id: string): Promise<boolean> {
    return (await this.db.client.shortCode.deleteMany({ where: { id } })).count > 0;
  }

  listRoutes(): Promise<SenderRouteRow[]> {
    return this.db.client.senderRoute.findMany({ orderBy: [{ country: 'asc' }, { sender: 'asc' }] });
  }

  addRoute(input: {
    country: string;
    kind: 'long_code' | 'alphanumeric';
    sender: string;
    rateLimitPerSecond?: number | null;
  }): Promise<SenderRouteRow> {
    return this.db.client.senderRoute.create({ data: { ...input, enabled: true } });
  }

  async updateRoute(id: string, change: SenderChange): Promise<SenderRouteRow | null> {
    const { count } = await this.db.client.senderRoute.updateMany({ where: { id }, data: change });
    return count ? this.db.client.senderRoute.findUnique({ where: { id } }) : null;
  }

  async removeRoute(id: string): Promise<boolean> {
    return (await this.db.client.senderRoute.deleteMany({ where: { id } })).count > 0;
  }
}
