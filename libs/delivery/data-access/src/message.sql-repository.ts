import { Injectable } from '@nestjs/common';
import type { SqlScope } from '@twofold/platform/db';
import type { MessageStatus } from '@twofold/delivery/domain';
import type { NewMessage } from './message.repository';

/** What the authentication API shows of one message (docs/decisions/0019). */
export interface DeliveryView {
  channel: 'sms' | 'voice';
  status: MessageStatus;
  /** Twilio's error code, or ours for a refusal. */
  errorCode: string | null;
  sender: string | null;
  updatedAt: Date;
}

/**
 * MessageRepository's queued message on plain SQL, for the authentication hot path
 * (docs/decisions/0016): attached to the scope, so the engine's next statement carries it.
 * The row is the outbox (docs/decisions/0019): it holds the sealed code the job carries.
 */
@Injectable()
export class MessageSqlRepository {
  attachQueued(scope: SqlScope, message: NewMessage): void {
    const tenantId = scope.tenantId;
    scope.attach({
      text: `INSERT INTO messages (tenant_id, id, authentication_id, provider_id, user_id, channel, status, to_phone,
         country, code_key_id, code_ciphertext, caller_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::message_channel, 'queued', $7, $8, $9, decode($10, 'base64'), $11, now())`,
      values: [
        tenantId,
        message.id,
        message.authenticationId,
        message.providerId,
        message.userId,
        message.channel,
        message.toPhone,
        message.country,
        message.code.keyId,
        message.code.ciphertext,
        message.callerId,
      ],
    });
  }

  /** The messages of an authentication, first to last (the SMS, then a voice fallback or a resend). */
  async ofAuthentication(scope: SqlScope, authenticationId: string): Promise<DeliveryView[]> {
    return scope.query<DeliveryView>(
      `SELECT channel, status, error_code AS "errorCode", sender, updated_at AS "updatedAt" FROM messages
        WHERE authentication_id = $2::uuid AND tenant_id = $1 ORDER BY created_at, id`,
      [scope.tenantId, authenticationId],
    );
  }
}
