import { Injectable } from '@nestjs/common';
import { DbService } from '@twofold/platform/db';
import type { ShortCodeCountry } from '@twofold/delivery/domain';

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

/**
 * Short codes and sender routes (R21, R22): platform tables without tenant, managed by operators.
 * The worker reads them for every batch of messages (SendingSqlRepository, no cache), so a change
 * or removal applies to the very next message of every worker process.
 */
@Injectable()
export class SenderRepository {
  constructor(private readonly db: DbService) {}

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
