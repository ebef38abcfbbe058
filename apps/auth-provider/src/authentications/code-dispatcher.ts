import { Injectable, Logger } from '@nestjs/common';
import { ContextProvider, ContextServer } from '@twofold/authentication/data-access';
import { CODE_DIGITS, codesEqual, generateNumericCode, hashCode } from '@twofold/authentication/domain';
import { MessageSqlRepository } from '@twofold/delivery/data-access';
import { SecretBox } from '@twofold/platform/crypto';
import { newRowId, Random, SqlScope } from '@twofold/platform/db';
import { QueueProducer } from '@twofold/platform/queue';
import { codeAad } from '@twofold/secrets/contracts';

/** The authentication a code is sent for. */
export interface CodeTarget {
  id: string;
  providerId: string;
  userId: string | null;
}

/**
 * One-time SMS/voice codes (R13, R24): drawn from the injected randomness, stored only as a keyed
 * hash bound to the authentication, and sent through the delivery outbox: the queued message row
 * (with the code sealed for it) rides in the use case's next statement, and its job goes to Redis
 * after commit. If that enqueue fails, the message stays `queued` with its sealed code and the
 * delivery worker's sweeper enqueues it a few seconds later (docs/decisions/0019).
 */
@Injectable()
export class CodeDispatcher {
  private readonly logger = new Logger(CodeDispatcher.name);
  private readonly pepper: Buffer;

  constructor(
    private readonly box: SecretBox,
    private readonly random: Random,
    private readonly producer: QueueProducer,
    private readonly messages: MessageSqlRepository,
  ) {
    this.pepper = box.derive('one-time-code-hash');
  }

  newCode(): string {
    return generateNumericCode((n) => this.random.bytes(n), CODE_DIGITS);
  }

  /** The stored form of a code: HMAC under the pepper, bound to the authentication id. */
  hash(code: string, authenticationId: string): string {
    return hashCode(code, this.pepper, authenticationId);
  }

  /** Constant time: whether `candidate` is the code whose hash the authentication holds. */
  matches(candidate: string | undefined, authenticationId: string, storedHash: string | null): boolean {
    return !!candidate && !!storedHash && codesEqual(this.hash(candidate, authenticationId), storedHash);
  }

  /**
   * Attaches the queued message to `scope` (the caller's next statement writes it) and sends its
   * job after commit. R23: a call shows the server's caller ID, else the provider's.
   */
  dispatch(
    scope: SqlScope,
    auth: CodeTarget,
    channel: 'sms' | 'voice',
    to: { phone: string; country: string },
    code: string,
    provider: Pick<ContextProvider, 'voiceCallerId'> | null,
    server: Pick<ContextServer, 'voiceCallerId'> | null,
  ): void {
    const messageId = newRowId();
    const sealed = this.box.seal(Buffer.from(code, 'utf8'), codeAad(scope.tenantId, messageId));
    const sealedCode = { keyId: sealed.keyId, ciphertext: sealed.ciphertext.toString('base64') };
    const callerId = channel === 'voice' ? (server?.voiceCallerId ?? provider?.voiceCallerId ?? null) : null;
    this.messages.attachQueued(scope, {
      id: messageId,
      authenticationId: auth.id,
      providerId: auth.providerId,
      userId: auth.userId,
      channel,
      toPhone: to.phone,
      country: to.country,
      code: sealedCode,
      callerId,
    });
    const base = {
      tenantId: scope.tenantId,
      idempotencyKey: messageId,
      authenticationId: auth.id,
      messageId,
      code: sealedCode,
    };
    scope.afterCommit(async () => {
      try {
        if (channel === 'sms') await this.producer.enqueue('delivery.sms', { type: 'delivery.sms.send', ...base });
        else await this.producer.enqueue('delivery.voice', { type: 'delivery.voice.call', ...base, callerId });
      } catch (error) {
        this.logger.error(
          { messageId, err: error instanceof Error ? error.message : String(error) },
          'could not enqueue a delivery job; the outbox sweeper will',
        );
      }
    });
  }
}
