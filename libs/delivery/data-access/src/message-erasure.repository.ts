import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';

/**
 * Erasure of a person's phone number from the delivery outbox (issue 16 item 2, docs/decisions/0025).
 * Status, channel, country, sender and times stay, so delivery outcomes still add up.
 */
@Injectable()
export class MessageErasureRepository {
  /**
   * Messages to the user, or to one of their numbers (server-started ones carry no user id). A sealed
   * code still held by one goes too: its authentication ended when the user was deleted, and a job
   * still in flight must not send it to a number that is no longer there.
   */
  async eraseRecipient(scope: TenantScope, userId: string, phones: string[], mark: string): Promise<number> {
    const { count } = await scope.tx.message.updateMany({
      where: {
        tenantId: scope.tenantId,
        OR: [{ userId }, ...(phones.length > 0 ? [{ toPhone: { in: phones } }] : [])],
        NOT: { toPhone: mark },
      },
      data: { toPhone: mark, codeKeyId: null, codeCiphertext: null },
    });
    return count;
  }
}
