import { Inject, Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import {
  DeliveryOutcomeRepository,
  findMessageBySid,
  MessageRepository,
  MessageToSend,
  NewMessage,
  OutboxRepository,
} from '@twofold/delivery/data-access';
import {
  fallsBackToVoice,
  isTerminal,
  MessageStatus,
  smsStatusFromTwilio,
  voiceStatusFromTwilio,
} from '@twofold/delivery/domain';
import { APP_CONFIG, DeliveryConfig } from '@twofold/platform/config';
import { Clock, DbService, isUuid, sqlScopeOf, TenantScope } from '@twofold/platform/db';
import { deliveryOutcomesTotal } from '@twofold/platform/metrics';
import { DeliveryErrors } from '../common/delivery.errors';
import { VoiceFallback } from '../common/voice-fallback';

/**
 * Twilio status callbacks (R24). Accepted only with a valid X-Twilio-Signature over the public URL
 * Twilio called; then idempotent (one event row per provider status) and monotonic (a status never
 * moves back), with the final outcome copied to the authentication record. An SMS the carrier reports
 * undelivered to a handset a call may reach falls back to voice when the tenant wants it, once.
 */
@Injectable()
export class TwilioStatusService {
  private readonly logger = new Logger(TwilioStatusService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: DeliveryConfig,
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly messages: MessageRepository,
    private readonly outcomes: DeliveryOutcomeRepository,
    private readonly outbox: OutboxRepository,
    private readonly fallback: VoiceFallback,
  ) {}

  /** `pathAndQuery` as received (e.g. `/v1/twilio/status?t=…&m=…`); the signed URL is PUBLIC_BASE_URL + it. */
  verify(signature: string | undefined, pathAndQuery: string, params: Record<string, string>): void {
    const url = this.config.PUBLIC_BASE_URL + pathAndQuery;
    if (!signature || !twilio.validateRequest(this.config.TWILIO_AUTH_TOKEN, signature, url, params)) {
      throw DeliveryErrors.invalidSignature();
    }
  }

  async apply(query: { t?: string; m?: string }, params: Record<string, string>): Promise<void> {
    const sid = params.MessageSid ?? params.CallSid;
    const word = params.MessageStatus ?? params.SmsStatus ?? params.CallStatus;
    if (!sid || !word) return;
    const status = params.CallSid && !params.MessageSid ? voiceStatusFromTwilio(word) : smsStatusFromTwilio(word);
    if (!status) return;
    // The signed callback URL names the message, so a callback that overtakes the worker's own
    // write of the SID still finds it; older URLs without it go through the SID lookup.
    const target =
      query.t && query.m && isUuid(query.t) && isUuid(query.m)
        ? { tenantId: query.t.toLowerCase(), id: query.m.toLowerCase() }
        : await findMessageBySid(this.db, sid);
    if (!target) {
      this.logger.warn({ status: word }, 'status callback for an unknown message');
      return;
    }
    const errorCode = params.ErrorCode ? String(params.ErrorCode).slice(0, 32) : null;
    const { changed, voice } = await this.db.inTenant(target.tenantId, async (scope) => {
      const message = await this.messages.find(scope, target.id);
      if (!message || (message.twilioSid && message.twilioSid !== sid)) return { changed: null, voice: null };
      const next = await this.messages.applyStatus(
        scope,
        target.id,
        { status, providerStatus: word.slice(0, 32), errorCode, twilioSid: sid },
        this.clock.now(),
      );
      // Only the latest message of an authentication speaks for it: once a fallback call exists,
      // a repeated or late report on the SMS neither calls again nor overwrites the call's outcome.
      if (!next || !message.authenticationId) return { changed: next, voice: null };
      if ((await this.messages.latestIdOf(scope, message.authenticationId)) !== message.id)
        return { changed: next, voice: null };
      const call = await this.fallbackFor(scope, message, next, errorCode);
      if (call) await this.messages.createQueued(scope, call);
      else await this.outcomes.recordOutcome(scope, message.authenticationId, next);
      return { changed: next, voice: call };
    });
    if (changed) {
      // Final outcomes only: `sent` is counted once by the worker when Twilio accepts the request,
      // and a callback's `sent` may or may not change the row depending on which write came first.
      if (isTerminal(changed)) {
        deliveryOutcomesTotal.inc({ channel: params.CallSid && !params.MessageSid ? 'voice' : 'sms', status: changed });
      }
      this.logger.log({ messageId: target.id, status: changed, errorCode }, 'message status');
    }
    if (voice) await this.fallback.enqueue(target.tenantId, target.id, voice);
  }

  /**
   * The voice call that replaces an SMS the carrier could not deliver (docs/decisions/0019): only
   * for the tenant's fallback setting, error codes a call may get past, and an authentication still
   * pending (its sealed code is in the SMS's row until it ends).
   */
  private async fallbackFor(
    scope: TenantScope,
    sms: MessageToSend,
    status: MessageStatus,
    errorCode: string | null,
  ): Promise<NewMessage | null> {
    if (sms.channel !== 'sms' || (status !== 'undelivered' && status !== 'failed') || !fallsBackToVoice(errorCode))
      return null;
    if (!(await this.outcomes.settings(scope)).smsFallbackToVoice) return null;
    const sealed = await this.outbox.pendingCodeOf(sqlScopeOf(scope), sms.id);
    if (!sealed) return null;
    const code = this.fallback.openCode(scope.tenantId, sms.id, sealed);
    if (code === null) {
      this.logger.warn({ messageId: sms.id }, 'the sealed code of an undelivered SMS does not open: no voice fallback');
      return null;
    }
    return this.fallback.messageFor(sqlScopeOf(scope), sms, code);
  }
}
