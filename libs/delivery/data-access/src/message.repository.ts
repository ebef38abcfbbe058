import { Injectable } from '@nestjs/common';
import type { DbService, TenantScope } from '@twofold/platform/db';
import type { SealedCode } from '@twofold/delivery/contracts';
import { MessageStatus, statusesBefore } from '@twofold/delivery/domain';

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
  /** The outbox (docs/decisions/0019): the code sealed for this message, kept until the authentication ends. */
  code: SealedCode;
  /** R23: the caller ID requested for a voice call (null: the platform default). */
  callerId: string | null;
}

export interface MessageToSend {
  id: string;
  authenticationId: string | null;
  providerId: string | null;
  userId: string | null;
  channel: MessageChannelCode;
  status: MessageStatus;
  toPhone: string;
  country: string;
  twilioSid: string | null;
}

export interface SentMessage {
  sender: string;
  senderKind: 'short_code' | 'long_code' | 'alphanumeric' | 'caller_id';
  twilioSid: string;
}

export interface StatusChange {
  status: MessageStatus;
  providerStatus: string;
  errorCode: string | null;
  twilioSid: string;
}

/** SMS/voice messages (R24): queued here, in the transaction that asks for them; the delivery worker sends. */
@Injectable()
export class MessageRepository {
  async createQueued(scope: TenantScope, message: NewMessage): Promise<void> {
    const { code, ...fields } = message;
    await scope.tx.message.create({
      data: {
        tenantId: scope.tenantId,
        ...fields,
        codeKeyId: code.keyId,
        codeCiphertext: Buffer.from(code.ciphertext, 'base64'),
        status: 'queued',
      },
    });
  }

  async find(scope: TenantScope, id: string): Promise<MessageToSend | null> {
    return scope.tx.message.findFirst({
      where: { tenantId: scope.tenantId, id },
      select: {
        id: true,
        authenticationId: true,
        providerId: true,
        userId: true,
        channel: true,
        status: true,
        toPhone: true,
        country: true,
        twilioSid: true,
      },
    });
  }

  /**
   * A send that can never succeed: `failed` with Twilio's (or our) error code, or `refused` with
   * ours when the platform would not send it (docs/decisions/0019).
   */
  async markFinal(
    scope: TenantScope,
    id: string,
    status: 'failed' | 'refused',
    errorCode: string,
    errorMessage: string | null,
  ): Promise<boolean> {
    const { count } = await scope.tx.message.updateMany({
      where: { tenantId: scope.tenantId, id, status: { in: statusesBefore(status) } },
      data: { status, errorCode, errorMessage },
    });
    return count > 0;
  }

  /**
   * Applies one carrier status callback. The event row's unique key (tenant, message, provider
   * status) makes a repeated callback a no-op; the status moves only forward, checked in the
   * UPDATE itself so two callbacks racing on one message cannot move it back.
   * Returns the new status, or null when nothing changed.
   */
  async applyStatus(
    scope: TenantScope,
    messageId: string,
    change: StatusChange,
    at: Date,
  ): Promise<MessageStatus | null> {
    const inserted = await scope.tx.messageStatusEvent.createMany({
      data: [
        {
          tenantId: scope.tenantId,
          messageId,
          status: change.status,
          providerStatus: change.providerStatus,
          errorCode: change.errorCode,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) return null;
    const terminalFailure = change.status === 'failed' || change.status === 'undelivered';
    const { count } = await scope.tx.message.updateMany({
      where: { tenantId: scope.tenantId, id: messageId, status: { in: statusesBefore(change.status) } },
      data: {
        status: change.status,
        ...(change.status === 'delivered' ? { deliveredAt: at } : {}),
        ...(terminalFailure && change.errorCode ? { errorCode: change.errorCode } : {}),
      },
    });
    return count > 0 ? change.status : null;
  }

  async latestIdOf(scope: TenantScope, authenticationId: string): Promise<string | null> {
    const row = await scope.tx.message.findFirst({
      where: { tenantId: scope.tenantId, authenticationId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { id: true },
    });
    return row?.id ?? null;
  }
}

/** Callbacks arrive before any tenant is known: the SECURITY DEFINER lookup by Twilio SID. */
export async function findMessageBySid(db: DbService, sid: string): Promise<{ id: string; tenantId: string } | null> {
  const rows = await db.client.$queryRaw<{ id: string; tenant_id: string }[]>`
    SELECT id::text AS id, tenant_id::text AS tenant_id FROM twofold_find_message(${sid})`;
  const row = rows[0];
  return row ? { id: row.id, tenantId: row.tenant_id } : null;
}
