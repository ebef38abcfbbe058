import { Injectable } from '@nestjs/common';
import { DbService, TenantScope } from '@twofold/platform/db';

export type LicensePurchaseStatus =
  'pending' | 'awaiting_payment' | 'active' | 'past_due' | 'lapsed' | 'ended' | 'failed';

export interface LicensePurchaseRow {
  id: string;
  tenantId: string;
  seats: number;
  termMonths: number;
  status: string;
  customerId: string | null;
  stripeSubscriptionId: string | null;
  stripeSubscriptionItemId: string | null;
  poolId: string | null;
  termStart: Date | null;
  termEnd: Date | null;
  paidAt: Date | null;
  unpaidSince: Date | null;
  endedAt: Date | null;
  lastEventAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * R4: seats the tenant buys through Stripe (decision 0018). The purchase owns its license pool: the
 * pool is created when the first invoice is paid and its seats and term follow the subscription's
 * webhooks, so these writes to license_pools are the billing side of the seat trigger's bookkeeping.
 */
@Injectable()
export class LicensePurchaseRepository {
  constructor(private readonly db: DbService) {}

  async create(scope: TenantScope, input: { seats: number; termMonths: number }): Promise<LicensePurchaseRow> {
    return scope.tx.licensePurchase.create({ data: { tenantId: scope.tenantId, ...input } });
  }

  /**
   * Purchases of the tenant not paid yet (pending, awaiting payment), counted under a per-tenant
   * transaction lock so parallel purchases cannot both pass the cap.
   */
  async lockAndCountUnpaid(scope: TenantScope): Promise<number> {
    await scope.tx
      .$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('license_purchase:' || ${scope.tenantId}, 0))`;
    return scope.tx.licensePurchase.count({
      where: { tenantId: scope.tenantId, status: { in: ['pending', 'awaiting_payment'] } },
    });
  }

  async find(scope: TenantScope, id: string): Promise<LicensePurchaseRow | null> {
    return scope.tx.licensePurchase.findFirst({ where: { tenantId: scope.tenantId, id } });
  }

  /** Locks the purchase for the rest of the transaction (webhooks and the loop serialise on it). */
  async lock(scope: TenantScope, id: string): Promise<LicensePurchaseRow | null> {
    await scope.tx
      .$executeRaw`SELECT 1 FROM license_purchases WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`;
    return this.find(scope, id);
  }

  async list(scope: TenantScope, limit: number): Promise<LicensePurchaseRow[]> {
    return scope.tx.licensePurchase.findMany({
      where: { tenantId: scope.tenantId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  async update(
    scope: TenantScope,
    id: string,
    data: Partial<Omit<LicensePurchaseRow, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>>,
  ): Promise<void> {
    await scope.tx.licensePurchase.updateMany({ where: { tenantId: scope.tenantId, id }, data });
  }

  /** The purchase's tenant, from its Stripe subscription (SECURITY DEFINER lookup for webhooks). */
  async findBySubscription(stripeSubscriptionId: string): Promise<{ tenantId: string; id: string } | undefined> {
    const rows = await this.db.client.$queryRaw<{ tenant_id: string; id: string }[]>`
      SELECT tenant_id::text AS tenant_id, id::text AS id FROM twofold_find_license_purchase(${stripeSubscriptionId})`;
    return rows[0] ? { tenantId: rows[0].tenant_id, id: rows[0].id } : undefined;
  }

  /** Purchases the loop must act on: not at Stripe yet, or unpaid since before `lapseBefore`. */
  async toReconcile(lapseBefore: Date, limit: number): Promise<{ tenantId: string; id: string; status: string }[]> {
    const rows = await this.db.client.$queryRaw<{ tenant_id: string; id: string; status: string }[]>`
      SELECT tenant_id::text AS tenant_id, id::text AS id, status
        FROM twofold_license_purchases_to_reconcile(${lapseBefore}::timestamptz, ${limit}::int)`;
    return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id, status: r.status }));
  }

  /** The pool of a paid purchase: its seats, in force over [termStart, termEnd). */
  async createPool(
    scope: TenantScope,
    purchaseId: string,
    input: { seats: number; termStart: Date; termEnd: Date },
  ): Promise<string> {
    const pool = await scope.tx.licensePool.create({
      data: { tenantId: scope.tenantId, name: 'Bought through Stripe', purchaseId, ...input },
      select: { id: true },
    });
    return pool.id;
  }

  async pool(
    scope: TenantScope,
    poolId: string,
  ): Promise<{ seats: number; assignedCount: number; termStart: Date; termEnd: Date } | null> {
    return scope.tx.licensePool.findFirst({
      where: { tenantId: scope.tenantId, id: poolId },
      select: { seats: true, assignedCount: true, termStart: true, termEnd: true },
    });
  }

  /** Follows Stripe: seats never below those assigned (the seat trigger refuses that), term only shortened. */
  async updatePool(scope: TenantScope, poolId: string, data: { seats?: number; termEnd?: Date }): Promise<void> {
    await scope.tx.licensePool.updateMany({ where: { tenantId: scope.tenantId, id: poolId }, data });
  }
}
