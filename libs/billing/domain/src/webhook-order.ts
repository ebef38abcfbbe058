/**
 * Stripe delivers webhooks at least once and in any order. Each mirrored object remembers the
 * `created` time of the newest event applied to it; an older event changes nothing. Events of the
 * same second are ordered by how far the object's lifecycle has gone, so a late `invoice.finalized`
 * never turns a paid invoice back to open.
 */
const INVOICE_RANK: Record<string, number> = { draft: 0, open: 1, uncollectible: 2, paid: 3, void: 3 };
const SUBSCRIPTION_RANK: Record<string, number> = {
  incomplete: 0,
  trialing: 1,
  active: 2,
  past_due: 3,
  unpaid: 4,
  paused: 4,
  incomplete_expired: 5,
  canceled: 5,
};

export function shouldApply(
  kind: 'invoice' | 'subscription',
  stored: { lastEventAt: Date | null; status: string } | null,
  incoming: { eventCreated: Date; status: string },
): boolean {
  if (!stored || !stored.lastEventAt) return true;
  const a = incoming.eventCreated.getTime();
  const b = stored.lastEventAt.getTime();
  if (a !== b) return a > b;
  const rank = kind === 'invoice' ? INVOICE_RANK : SUBSCRIPTION_RANK;
  return (rank[incoming.status] ?? 0) >= (rank[stored.status] ?? 0);
}

/** R10: an invoice whose payment failed and that is still open leaves the tenant flagged. */
export const isUnpaidInvoice = (status: string, paymentFailed: boolean) =>
  paymentFailed && (status === 'open' || status === 'uncollectible');
