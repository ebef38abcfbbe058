import { Injectable, Logger } from '@nestjs/common';
import { SealedCode } from '@twofold/delivery/contracts';
import { OutboxRepository } from '@twofold/delivery/data-access';
import type { MessageToSend, NewMessage } from '@twofold/delivery/data-access';
import { SecretBox, SecretBoxError } from '@twofold/platform/crypto';
import { newRowId, SqlScope } from '@twofold/platform/db';
import { QueueProducer } from '@twofold/platform/queue';
import { codeAad } from '@twofold/secrets/contracts';

/**
 * The tenant's SMS -> voice fallback (docs/decisions/0012, 0019), shared by the worker (an SMS
 * refused at send time) and the status callback (an SMS the carrier reports undelivered): the same
 * code, re-sealed for a new voice message. The caller writes the voice message row (with its sealed
 * code: the outbox) in the transaction that ends the SMS, then enqueues its job; if that enqueue
 * fails, the outbox sweeper enqueues it.
 */
@Injectable()
export class VoiceFallback {
  private readonly logger = new Logger(VoiceFallback.name);

  constructor(
    private readonly box: SecretBox,
    private readonly producer: QueueProducer,
    private readonly outbox: OutboxRepository,
  ) {}

  /**
   * The voice message that calls the SMS's code instead; null when the SMS belongs to no
   * authentication. Read in the transaction that writes the message: the call shows the
   * authentication's own caller ID (R23: its MFA server's, else its provider's), as a voice start would.
   */
  async messageFor(scope: SqlScope, sms: MessageToSend, code: string): Promise<NewMessage | null> {
    if (!sms.authenticationId || !sms.providerId) return null;
    const tenantId = scope.tenantId;
    const callerId = await this.outbox.voiceCallerIdOf(scope, sms.authenticationId);
    const id = newRowId();
    const sealed = this.box.seal(Buffer.from(code, 'utf8'), codeAad(tenantId, id));
    return {
      id,
      authenticationId: sms.authenticationId,
      providerId: sms.providerId,
      userId: sms.userId,
      channel: 'voice',
      toPhone: sms.toPhone,
      country: sms.country,
      code: { keyId: sealed.keyId, ciphertext: sealed.ciphertext.toString('base64') },
      callerId,
    };
  }

  /** The code sealed in a message's row (the outbox); null when it does not open (never thrown, never logged). */
  openCode(tenantId: string, messageId: string, sealed: SealedCode): string | null {
    try {
      return this.box
        .open(sealed.keyId, Buffer.from(sealed.ciphertext, 'base64'), codeAad(tenantId, messageId))
        .toString('utf8');
    } catch (error) {
      if (error instanceof SecretBoxError) return null;
      throw error;
    }
  }

  /** Enqueues the committed voice message's call; on failure the outbox sweeper will. */
  async enqueue(tenantId: string, smsId: string, voice: NewMessage): Promise<void> {
    try {
      await this.producer.enqueue('delivery.voice', {
        type: 'delivery.voice.call',
        tenantId,
        idempotencyKey: voice.id,
        authenticationId: voice.authenticationId,
        messageId: voice.id,
        code: voice.code,
        callerId: voice.callerId,
      });
    } catch (error) {
      this.logger.error(
        { messageId: voice.id, err: error instanceof Error ? error.message : String(error) },
        'could not enqueue the voice fallback; the outbox sweeper will',
      );
      return;
    }
    this.logger.log({ messageId: smsId, fallbackMessageId: voice.id }, 'sms not delivered: falling back to voice');
  }
}
