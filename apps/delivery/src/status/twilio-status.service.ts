import { Inject, Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import { DeliveryOutcomeRepository, findMessageBySid, MessageRepository } from '@twofold/delivery/data-access';
import { isTerminal, smsStatusFromTwilio, voiceStatusFromTwilio } from '@twofold/delivery/domain';
import { APP_CONFIG, DeliveryConfig } from '@twofold/platform/config';
import { Clock, DbService, isUuid } from '@twofold/platform/db';
import { deliveryOutcomesTotal } from '@twofold/platform/metrics';
import { DeliveryErrors } from '../common/delivery.errors';

/**
 * Twilio status callbacks (R24). Accepted only with a valid X-Twilio-Signature over the public URL
 * Twilio called; then idempotent (one event row per provider status) and monotonic (a status never
 * moves back), with the final outcome copied to the authentication record.
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
    const changed = await this.db.inTenant(target.tenantId, async (scope) => {
      const message = await this.messages.find(scope, target.id);
      if (!message || (message.twilioSid && message.twilioSid !== sid)) return null;
      const next = await this.messages.applyStatus(
        scope,
        target.id,
        { status, providerStatus: word.slice(0, 32), errorCode, twilioSid: sid },
        this.clock.now(),
      );
      if (next && message.authenticationId) {
        if ((await this.messages.latestIdOf(scope, message.authenticationId)) === message.id) {
          await this.outcomes.recordOutcome(scope, message.authenticationId, next);
        }
      }
      return next;
    });
    if (changed) {
      // Final outcomes only: `sent` is counted once by the worker when Twilio accepts the request,
      // and a callback's `sent` may or may not change the row depending on which write came first.
      if (isTerminal(changed)) {
        deliveryOutcomesTotal.inc({ channel: params.CallSid && !params.MessageSid ? 'voice' : 'sms', status: changed });
      }
      this.logger.log({ messageId: target.id, status: changed, errorCode }, 'message status');
    }
  }
}
