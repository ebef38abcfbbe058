/**
 * R24: the life of a message. `refused`: the platform did not send it (toll-fraud class, no route,
 * country not allowed; docs/decisions/0019), so no carrier ever saw it.
 */
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'refused';

const RANK: Record<MessageStatus, number> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  undelivered: 2,
  failed: 2,
  refused: 2,
};

export const isTerminal = (status: MessageStatus): boolean => RANK[status] === 2;

/**
 * Callbacks arrive out of order and more than once: a status replaces the current one only when
 * it is further along (queued < sent < delivered | undelivered | failed | refused). Terminal states never
 * change, so an older or a repeated status is a no-op.
 */
export function nextStatus(current: MessageStatus, incoming: MessageStatus): MessageStatus | null {
  return RANK[incoming] > RANK[current] ? incoming : null;
}

/** Twilio Message status words. `receiving`/`received` concern inbound messages: ignored. */
export function smsStatusFromTwilio(status: string): MessageStatus | null {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
      return 'queued';
    case 'sending':
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return null;
  }
}

/** Twilio Call status words: an answered and completed call delivered the code. */
export function voiceStatusFromTwilio(status: string): MessageStatus | null {
  switch (status) {
    case 'queued':
      return 'queued';
    case 'initiated':
    case 'ringing':
    case 'in-progress':
      return 'sent';
    case 'completed':
      return 'delivered';
    case 'busy':
    case 'no-answer':
    case 'canceled':
      return 'undelivered';
    case 'failed':
      return 'failed';
    default:
      return null;
  }
}

/** The statuses an incoming status may replace (used as the guard of the UPDATE). */
export function statusesBefore(incoming: MessageStatus): MessageStatus[] {
  return (Object.keys(RANK) as MessageStatus[]).filter((s) => nextStatus(s, incoming) !== null);
}
