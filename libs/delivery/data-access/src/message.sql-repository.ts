import { Injectable } from '@nestjs/common';
import type { SqlScope } from '@twofold/platform/db';
import type { NewMessage } from './message.repository';

/**
 * MessageRepository's queued message on plain SQL, for the authentication hot path
 * (docs/decisions/0015), in the caller's `inTenantSql` transaction.
 */
@Injectable()
export class MessageSqlRepository {
  async createQueued(scope: SqlScope, message: NewMessage): Promise<void> {
    await scope.query(
      `INSERT INTO messages (tenant_id, id, authentication_id, provider_id, user_id, channel, status, to_phone,
         country, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::message_channel, 'queued', $7, $8, now())`,
      [
        scope.tenantId,
        message.id,
        message.authenticationId,
        message.providerId,
        message.userId,
        message.channel,
        message.toPhone,
        message.country,
      ],
    );
  }
}
