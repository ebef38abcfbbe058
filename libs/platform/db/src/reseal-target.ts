import type { ResealTarget, Resealer, RowRef, SealedRow } from '@twofold/platform/crypto';
import { DbService } from './db.service';

/** How one table keeps its sealed secrets, as its owning domain's data-access describes it. */
export interface SealedTableSpec<R> {
  /** The name the reseal command reports, and `twofold_sealed_key_counts`'s kind. */
  kind: string;
  /** The SECURITY DEFINER function `(active_key, after_tenant, after_id, limit) → (tenant_id, id)`. */
  toResealFunction: string;
  /**
   * The tenant `$1`'s rows among `$2::uuid[]` whose key is not `$3`, locked (FOR UPDATE): a concurrent
   * change of a row waits for its re-sealing, and a row re-sealed meanwhile is no longer selected.
   */
  selectSql: string;
  toSealedRow(tenantId: string, row: R): SealedRow;
  /** Sets tenant `$1`'s row `$2` to key `$3` and ciphertexts `$4…` (in `SealedRow.values` order). */
  updateSql: string;
}

/**
 * The reseal command's view of one table (issue 16 item 6): finds rows across tenants through the
 * table's SECURITY DEFINER function, then re-seals one tenant's page in that tenant's transaction
 * (RLS and the explicit tenant filter apply as everywhere). Batch statements name rows by an array,
 * so they are planned per run (custom plans, decision 0017).
 */
export class SqlResealTarget<R> implements ResealTarget {
  readonly kind: string;

  constructor(
    private readonly db: DbService,
    private readonly spec: SealedTableSpec<R>,
  ) {
    this.kind = spec.kind;
  }

  async toReseal(activeKeyId: string, after: RowRef | null, limit: number): Promise<RowRef[]> {
    const rows = await this.db.query<{ tenantId: string; id: string }>(
      `SELECT tenant_id::text AS "tenantId", id::text AS id FROM ${this.spec.toResealFunction}($1, $2::uuid, $3::uuid, $4::int)`,
      [
        activeKeyId,
        after?.tenantId ?? '00000000-0000-0000-0000-000000000000',
        after?.id ?? '00000000-0000-0000-0000-000000000000',
        limit,
      ],
    );
    return rows;
  }

  async reseal(tenantId: string, ids: readonly string[], activeKeyId: string, resealer: Resealer): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.inTenantSql(
      tenantId,
      async (scope) => {
        const rows = await scope.query<R>(this.spec.selectSql, [tenantId, ids, activeKeyId]);
        let changed = 0;
        for (const row of rows) {
          const sealed = this.spec.toSealedRow(tenantId, row);
          const next = resealer(sealed);
          if (next === null) continue;
          await scope.query(this.spec.updateSql, [tenantId, sealed.id, next.keyId, ...next.ciphertexts]);
          changed += 1;
        }
        return changed;
      },
      { customPlans: true },
    );
  }

  async keyCounts(): Promise<{ keyId: string; rows: number }[]> {
    const rows = await this.db.query<{ keyId: string; rows: string }>(
      'SELECT key_id AS "keyId", rows FROM twofold_sealed_key_counts($1)',
      [this.spec.kind],
    );
    return rows.map((r) => ({ keyId: r.keyId, rows: Number(r.rows) }));
  }
}
