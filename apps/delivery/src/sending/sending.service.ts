import { Inject, Injectable, Logger } from '@nestjs/common';
import { PlaceVoiceCallJob, SendSmsJob } from '@twofold/delivery/contracts';
import {
  DeliveryOutcomeRepository,
  MessageRepository,
  MessageToSend,
  SenderRateLimiter,
  SENDING_TRANSACTION,
  SendingSqlRepository,
  SentRow,
  TwilioGateway,
  TenantDeliverySettings,
  classifyTwilioError,
} from '@twofold/delivery/data-access';
import {
  checkRecipient,
  DeliveryFailure,
  fallsBackToVoice,
  RecipientCheck,
  REFUSALS,
  rotation,
  SenderCandidate,
  shortCodeCountryOf,
  smsBody,
  smsCandidates,
  spokenDigits,
  VOICE_REPEATS,
} from '@twofold/delivery/domain';
import { deliveryOutcomesTotal } from '@twofold/platform/metrics';
import { APP_CONFIG, DeliveryWorkerConfig } from '@twofold/platform/config';
import { SecretBox } from '@twofold/platform/crypto';
import { Clock, DbService, isUuid, sqlScopeOf } from '@twofold/platform/db';
import { DEFAULT_JOB_OPTIONS, JobContext, PermanentJobError } from '@twofold/platform/queue';
import { statusCallbackUrl } from '../common/delivery.errors';
import { VoiceFallback } from '../common/voice-fallback';
import { eachOrAlone, KeyedBatcher } from './keyed-batcher';
import { codeAad } from '@twofold/secrets/contracts';

/** A send that may work on another attempt: BullMQ retries it with exponential backoff and jitter. */
export class TransientSendError extends Error {}

const MAX_ATTEMPTS = DEFAULT_JOB_OPTIONS.attempts ?? 1;
/** Longest single wait for a sender slot before asking Redis again. */
const MAX_RATE_WAIT_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Prepared {
  message: MessageToSend;
  settings: TenantDeliverySettings;
  routing: { ok: true; candidates: SenderCandidate[]; to: string } | { ok: false; failure: DeliveryFailure };
}

interface ToPrepare {
  messageId: string;
  channel: 'sms' | 'voice';
}

/**
 * The delivery use cases of the worker: open the sealed code, route, wait for a sender slot, send
 * through Twilio, record the outcome. Logs name the message, status and error code only — never
 * the code, the body or the phone number.
 */
@Injectable()
export class SendingService {
  private readonly logger = new Logger(SendingService.name);
  /** The messages of one tenant that are being prepared together: one read transaction. */
  private readonly preparing = new KeyedBatcher<ToPrepare, Prepared | null>((tenantId, items) =>
    this.prepareMany(tenantId, items),
  );
  /**
   * The `sent` writes of one tenant that are due together: one UPDATE; if it fails, each row alone,
   * so only the rows that cannot be written fail their job (a failed job retries and sends again).
   */
  private readonly recordingSent = new KeyedBatcher<SentRow, unknown>((tenantId, rows) =>
    eachOrAlone(rows, (some) =>
      this.db.inTenantSql(tenantId, (scope) => this.sending.markSent(scope, some), SENDING_TRANSACTION),
    ),
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: DeliveryWorkerConfig,
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly messages: MessageRepository,
    private readonly sending: SendingSqlRepository,
    private readonly outcomes: DeliveryOutcomeRepository,
    private readonly limiter: SenderRateLimiter,
    private readonly twilio: TwilioGateway,
    private readonly fallback: VoiceFallback,
  ) {}

  async sendSms(job: SendSmsJob, ctx: JobContext): Promise<void> {
    const prepared = await this.prepare(job.tenantId, job.messageId, 'sms');
    if (!prepared) return;
    const { message, settings, routing } = prepared;
    const code = await this.openCode(job, message);
    const fallback = settings.smsFallbackToVoice ? code : null;
    if (!routing.ok) return this.fail(job.tenantId, message, routing.failure, null, fallback);
    const sender = await this.reserveSender(routing.candidates);
    let sid: string;
    try {
      sid = await this.twilio.sendSms({
        to: routing.to,
        from: sender.sender,
        body: smsBody(settings.smsTemplate, code),
        statusCallback: statusCallbackUrl(this.config.PUBLIC_BASE_URL, job.tenantId, message.id),
      });
    } catch (error) {
      return this.sendFailed(job.tenantId, message, error, ctx, fallback);
    }
    const unrecorded = await this.recordingSent.add(job.tenantId, {
      id: message.id,
      sender: sender.sender,
      senderKind: sender.kind,
      twilioSid: sid,
      at: this.clock.now(),
    });
    if (unrecorded) throw unrecorded;
    deliveryOutcomesTotal.inc({ channel: 'sms', status: 'sent' });
    this.logger.log({ messageId: message.id, status: 'sent', senderKind: sender.kind }, 'sms sent');
  }

  async placeCall(job: PlaceVoiceCallJob, ctx: JobContext): Promise<void> {
    const prepared = await this.prepare(job.tenantId, job.messageId, 'voice');
    if (!prepared) return;
    const { message, routing } = prepared;
    if (!routing.ok) return this.fail(job.tenantId, message, routing.failure, null, null);
    // R23: the caller ID configured for the server or provider, recorded as requested.
    const from = job.callerId ?? this.config.TWILIO_VOICE_FROM;
    if (!from) return this.fail(job.tenantId, message, DeliveryFailure.NoVoiceCallerId, null, null);
    const code = await this.openCode(job, message);
    const twiml = TwilioGateway.sayTwiml(`Your verification code is: ${spokenDigits(code)}.`, VOICE_REPEATS);
    let sid: string;
    try {
      sid = await this.twilio.placeCall({
        to: routing.to,
        from,
        twiml,
        statusCallback: statusCallbackUrl(this.config.PUBLIC_BASE_URL, job.tenantId, message.id),
      });
    } catch (error) {
      return this.sendFailed(job.tenantId, message, error, ctx, null);
    }
    const unrecorded = await this.recordingSent.add(job.tenantId, {
      id: message.id,
      sender: from,
      senderKind: 'caller_id',
      twilioSid: sid,
      at: this.clock.now(),
    });
    if (unrecorded) throw unrecorded;
    deliveryOutcomesTotal.inc({ channel: 'voice', status: 'sent' });
    this.logger.log({ messageId: message.id, status: 'sent', senderKind: 'caller_id' }, 'call placed');
  }

  /**
   * Loads the message, the tenant's settings and (for SMS) the senders of the recipient's country,
   * in one tenant transaction shared with the other jobs of that tenant being prepared right now.
   */
  private async prepare(tenantId: string, messageId: string, channel: 'sms' | 'voice'): Promise<Prepared | null> {
    const prepared = isUuid(messageId) ? await this.preparing.add(tenantId, { messageId, channel }) : null;
    if (!prepared) throw new PermanentJobError(`message ${messageId} not found`);
    // A job delivered again after its message went out (or failed for good) has nothing to do.
    if (prepared.message.twilioSid || prepared.message.status !== 'queued') {
      this.logger.log({ messageId, status: prepared.message.status }, 'message already handled');
      return null;
    }
    return prepared;
  }

  private prepareMany(tenantId: string, items: ToPrepare[]): Promise<(Prepared | null)[]> {
    return this.db.inTenantSql(
      tenantId,
      async (scope) => {
        const ids = [...new Set(items.map((i) => i.messageId.toLowerCase()))];
        const { settings, messages, shortCodes } = await this.sending.loadForSending(scope, ids);
        const byId = new Map(messages.map((m) => [m.id, m]));
        const recipients = new Map<string, RecipientCheck>(
          messages.map((m) => [m.id, checkRecipient(m.toPhone, m.channel)]),
        );
        // Sender routes of the SMS recipients' countries without a short-code pool, if any.
        const routeCountries = new Set<string>();
        for (const item of items) {
          const recipient = recipients.get(item.messageId.toLowerCase());
          const country = recipient?.ok ? (recipient.recipient.country as string) : null;
          if (item.channel === 'sms' && country && shortCodeCountryOf(country) === null) routeCountries.add(country);
        }
        const routes = await this.sending.enabledRoutes(scope, [...routeCountries]);
        return items.map((item): Prepared | null => {
          const message = byId.get(item.messageId.toLowerCase());
          const recipient = recipients.get(item.messageId.toLowerCase());
          if (!message || !recipient) return null;
          // docs/decisions/0026: a suspended tenant's queued codes are refused here, before Twilio.
          if (settings.tenantSuspended) {
            return { message, settings, routing: { ok: false, failure: DeliveryFailure.TenantSuspended } };
          }
          if (!recipient.ok) return { message, settings, routing: recipient };
          // The tenant may have removed the country since the start (or a fallback call goes there).
          if (!settings.deliveryCountries.includes(recipient.recipient.country as string)) {
            return { message, settings, routing: { ok: false, failure: DeliveryFailure.CountryNotAllowed } };
          }
          if (item.channel === 'voice') {
            return { message, settings, routing: { ok: true, candidates: [], to: recipient.recipient.e164 } };
          }
          const country = recipient.recipient.country as string;
          const decision = smsCandidates({
            country,
            shortCodes: shortCodes.get(country) ?? [],
            routes: routes.get(country) ?? [],
            defaults: {
              shortCodePerSecond: this.config.SHORT_CODE_RATE_PER_SECOND,
              longCodePerSecond: this.config.LONG_CODE_RATE_PER_SECOND,
            },
          });
          return {
            message,
            settings,
            routing: decision.ok
              ? { ok: true, candidates: decision.candidates, to: recipient.recipient.e164 }
              : decision,
          };
        });
      },
      SENDING_TRANSACTION,
    );
  }

  private async openCode(job: SendSmsJob | PlaceVoiceCallJob, message: MessageToSend): Promise<string> {
    try {
      const plain = this.box.open(
        job.code.keyId,
        Buffer.from(job.code.ciphertext, 'base64'),
        codeAad(job.tenantId, job.messageId),
      );
      return plain.toString('utf8');
    } catch {
      return this.fail(job.tenantId, message, DeliveryFailure.CodeUnreadable, null, null);
    }
  }

  /**
   * Reserves the pool's earliest send slot and waits for it (holding this job): bursts queue,
   * never fail. A slot more than MAX_RATE_WAIT_MS ahead is not taken; the job asks again later.
   */
  private async reserveSender(candidates: SenderCandidate[]): Promise<SenderCandidate> {
    const pool = candidates[0].kind === 'short_code' ? 'short_code' : 'route';
    for (;;) {
      const got = await this.limiter.reserve(pool, rotation(candidates, Math.random), MAX_RATE_WAIT_MS);
      if (got.sender) {
        if (got.waitMs > 0) await sleep(Math.ceil(got.waitMs));
        return got.sender;
      }
      await sleep(Math.min(Math.ceil(got.waitMs), MAX_RATE_WAIT_MS) + Math.floor(Math.random() * 3));
    }
  }

  private async sendFailed(
    tenantId: string,
    message: MessageToSend,
    error: unknown,
    ctx: JobContext,
    fallbackCode: string | null,
  ): Promise<never> {
    const failure = classifyTwilioError(error);
    if (failure.transient && ctx.attempt < MAX_ATTEMPTS) {
      this.logger.warn(
        { messageId: message.id, errorCode: failure.code, attempt: ctx.attempt },
        'send failed, will retry',
      );
      throw new TransientSendError(`twilio ${failure.code}`);
    }
    return this.fail(tenantId, message, failure.code, failure.message, fallbackCode);
  }

  /**
   * Records the final failure (message and authentication record) and stops the job for good: a
   * platform refusal (toll-fraud class, no route, invalid number) is `refused`, anything the
   * carrier or our own plumbing failed is `failed` (docs/decisions/0019).
   */
  private async fail(
    tenantId: string,
    message: MessageToSend,
    errorCode: string,
    errorMessage: string | null,
    /** The code, when the tenant wants a failed SMS to fall back to voice. */
    fallbackCode: string | null,
  ): Promise<never> {
    const fallsBack = fallbackCode !== null && message.channel === 'sms' && fallsBackToVoice(errorCode);
    const status = REFUSALS.has(errorCode) ? 'refused' : 'failed';
    // Only the transaction that ends the SMS places the call: a job run again after a crash finds
    // the SMS already final and calls no second time.
    const { changed, voice } = await this.db.inTenant(tenantId, async (scope) => {
      const marked = await this.messages.markFinal(scope, message.id, status, errorCode, errorMessage);
      if (!marked) return { changed: false, voice: null };
      const call = fallsBack ? await this.fallback.messageFor(sqlScopeOf(scope), message, fallbackCode) : null;
      if (call) {
        await this.messages.createQueued(scope, call);
        return { changed: true, voice: call };
      }
      if (message.authenticationId && (await this.messages.latestIdOf(scope, message.authenticationId)) === message.id)
        await this.outcomes.recordOutcome(scope, message.authenticationId, status);
      return { changed: true, voice: null };
    });
    if (changed) deliveryOutcomesTotal.inc({ channel: message.channel, status });
    this.logger.warn({ messageId: message.id, status, errorCode }, 'delivery failed');
    if (voice) await this.fallback.enqueue(tenantId, message.id, voice);
    throw new PermanentJobError(`delivery ${status}: ${errorCode}`);
  }
}
