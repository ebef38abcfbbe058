import { Injectable } from '@nestjs/common';
import type { SqlScope, SqlTransactionOptions } from '@twofold/platform/db';
import type { PoolEntry, RouteEntry } from '@twofold/delivery/domain';
import type { TenantDeliverySettings } from './delivery-outcome.repository';
import type { MessageToSend, SentMessage } from './message.repository';

export interface SentRow extends SentMessage {
  id: string;
  at: Date;
}

interface MessageRow extends MessageToSend {
  smsFallbackToVoice: boolean | null;
  smsTemplate: string | null;
  deliveryCountries: string[] | null;
  tenantSuspended: boolean | null;
  /** JSON array of the enabled short codes, the same on every row. */
  shortCodes: string;
}

interface RouteRow {
  kind: 'long_code' | 'alphanumeric';
  country: string;
  sender: string;
  rateLimitPerSecond: number | null;
}

/**
 * The transaction the statements below run in: they read and write a batch of messages named by an
 * array, so each batch is planned for its own ids (docs/decisions/0017).
 */
export const SENDING_TRANSACTION: SqlTransactionOptions = { customPlans: true };

/**
 * The delivery worker's send path on plain SQL, for several messages of one tenant at a time
 * (docs/decisions/0012-delivery.md): the message, the tenant's delivery settings
 * (DeliveryOutcomeRepository's read), the enabled senders, and the `sent` write, in the caller's
 * `DbService.inTenantSql` transaction.
 */
@Injectable()
export class SendingSqlRepository {
  /**
   * In one statement: the messages (those that exist), the tenant's delivery settings and the
   * enabled short codes of every pool (a handful of platform rows; read in the sender's
   * transaction, no cache: an operator change applies to the next message).
   */
  async loadForSending(
    scope: SqlScope,
    ids: readonly string[],
  ): Promise<{ settings: TenantDeliverySettings; messages: MessageToSend[]; shortCodes: Map<string, PoolEntry[]> }> {
    // The tenant row comes along with every message (LEFT JOIN: RLS admits only this tenant's).
    const rows = await scope.query<MessageRow>(
      `WITH codes AS (
         SELECT coalesce(json_agg(json_build_object('country', country, 'sender', code, 'rate', rate_limit_per_second)
                  ORDER BY code), '[]')::text AS list
           FROM short_codes WHERE enabled)
       SELECT m.id, m.authentication_id AS "authenticationId", m.provider_id AS "providerId", m.user_id AS "userId",
              m.channel::text AS channel, m.status::text AS status, m.to_phone AS "toPhone", m.country,
              m.twilio_sid AS "twilioSid", t.sms_fallback_to_voice AS "smsFallbackToVoice",
              t.sms_template AS "smsTemplate", t.delivery_countries AS "deliveryCountries",
              t.suspended_at IS NOT NULL AS "tenantSuspended", codes.list AS "shortCodes"
         FROM messages m LEFT JOIN tenants t ON t.id = m.tenant_id CROSS JOIN codes
        WHERE m.tenant_id = $1::uuid AND m.id = ANY($2::uuid[])`,
      [scope.tenantId, ids],
    );
    const first = rows[0];
    const settings: TenantDeliverySettings = {
      smsFallbackToVoice: first?.smsFallbackToVoice ?? false,
      smsTemplate: first?.smsTemplate ?? null,
      deliveryCountries: first?.deliveryCountries ?? [],
      tenantSuspended: first?.tenantSuspended ?? false,
    };
    const shortCodes = new Map<string, PoolEntry[]>();
    const codes = first
      ? (JSON.parse(first.shortCodes) as { country: string; sender: string; rate: number | null }[])
      : [];
    for (const c of codes) {
      const entry = { sender: c.sender, enabled: true, rateLimitPerSecond: c.rate };
      shortCodes.set(c.country, [...(shortCodes.get(c.country) ?? []), entry]);
    }
    const messages = rows.map(
      ({
        smsFallbackToVoice: _f,
        smsTemplate: _t,
        deliveryCountries: _d,
        tenantSuspended: _s,
        shortCodes: _c,
        ...message
      }): MessageToSend => message,
    );
    return { settings, messages, shortCodes };
  }

  /** Enabled sender routes of the given countries (those without a short-code pool). */
  async enabledRoutes(scope: SqlScope, countries: readonly string[]): Promise<Map<string, RouteEntry[]>> {
    const routes = new Map<string, RouteEntry[]>();
    if (countries.length === 0) return routes;
    const rows = await scope.query<RouteRow>(
      `SELECT kind::text AS kind, country, sender, rate_limit_per_second AS "rateLimitPerSecond"
         FROM sender_routes WHERE enabled AND country = ANY($1::text[]) ORDER BY sender`,
      [countries],
    );
    for (const r of rows) {
      const entry: RouteEntry = {
        sender: r.sender,
        enabled: true,
        rateLimitPerSecond: r.rateLimitPerSecond,
        country: r.country,
        kind: r.kind,
      };
      routes.set(r.country, [...(routes.get(r.country) ?? []), entry]);
    }
    return routes;
  }

  /**
   * MessageRepository.markSent for several messages in one statement: a callback may have come
   * first and moved a status further already, so only a still `queued` message becomes `sent`.
   * `m.id = ANY(…)` names the rows by key: joined on the unnest alone, a generic plan may hash the
   * tenant's whole table (docs/decisions/0017).
   */
  async markSent(scope: SqlScope, sent: readonly SentRow[]): Promise<void> {
    await scope.query(
      `UPDATE messages m
          SET twilio_sid = v.sid, sender = v.sender, sender_kind = v.kind::sender_kind,
              sent_at = COALESCE(m.sent_at, v.at),
              status = CASE WHEN m.status = 'queued' THEN 'sent'::message_status ELSE m.status END,
              updated_at = v.at
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS v(id, sid, sender, kind, at)
        WHERE m.tenant_id = $1::uuid AND m.id = ANY($2::uuid[]) AND m.id = v.id`,
      [
        scope.tenantId,
        sent.map((s) => s.id),
        sent.map((s) => s.twilioSid),
        sent.map((s) => s.sender),
        sent.map((s) => s.senderKind),
        sent.map((s) => s.at),
      ],
    );
  }
}
