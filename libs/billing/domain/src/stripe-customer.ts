/**
 * The create-customer request of a tenant's (or an unlinked provider's) Stripe customer (R10). Every
 * caller must send exactly this: Stripe replays an idempotency key only for identical parameters, so
 * the reconciler and the seat purchase, racing for the same tenant customer, get the same one back.
 */
export function stripeCustomerRequest(owner: {
  tenantId: string;
  tenantName: string;
  provider?: { id: string; name: string };
}): { name: string; metadata: Record<string, string>; idempotencyKey: string } {
  const { tenantId, tenantName, provider } = owner;
  return provider
    ? {
        name: `${tenantName} / ${provider.name}`,
        metadata: { tenantId, providerId: provider.id },
        idempotencyKey: `customer:provider:${provider.id}`,
      }
    : { name: tenantName, metadata: { tenantId }, idempotencyKey: `customer:tenant:${tenantId}` };
}
