import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';

export type MessageChannelCode = 'sms' | 'voice';

export interface NewMessage {
  id: string;
  authenticationId: string;
  providerId: string;
  userId: string | null;
  channel: MessageChannelCode;
  /** E.164 */
  toPhone: string;
  /** ISO 3166-1 alpha-2 of toPhone ('ZZ' when unknown). */
  country: string;
}

/** SMS/voice messages (R24): queued here, in the transaction that asks for them; the delivery worker sends. */
@Injectable()
export class MessageRepository {
  async createQueued(scope: TenantScope, message: NewMessage): Promise<void> {
    await scope.tx.message.create({ data: { tenantId: scope.tenantId, ...message, status: 'queued' } });
  }

  async latestStatusOf(scope: TenantScope, authenticationId: string): Promise<string | null> {
    const row = await scope.tx.message.findFirst({
      where: { tenantId: scope.tenantId, authenticationId },
      orderBy: { createdAt: 'desc' },
      select: { status: true },
    });
    return row?.status ?? null;
  }
}
