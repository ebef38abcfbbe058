import { Injectable } from '@nestjs/common';
import type { SqlStatement } from '@twofold/platform/db';
import type { NewMessage } from './message.repository';

/**
 * MessageRepository's queued message on plain SQL, for the authentication hot path
 * (docs/decisions/0016): a statement the authentication engine runs together with its own writes.
 */
@Injectable()
export class MessageSqlRepository {
  queued(tenantId: string, message: NewMessage): SqlStatement {
    return {
      text: `INSERT INTO messages (tenant_id, id, authentication_id, provider_id, user_id, channel, status, to_phone,
         country, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::message_channel, 'queued', $7, $8, now())`,
      values: [
        tenantId,
        message.id,
        message.authenticationId,
        message.providerId,
        message.userId,
        message.channel,
        message.toPhone,
        message.country,
      ],
    };
  }
}
