import { Injectable } from '@nestjs/common';
import type { DbService, SqlScope } from '@twofold/platform/db';

/** The person's data an authentication record may hold (R26), as erasure finds it. */
export interface RecordPersonalValues {
  /** Values that name this person (user names, e-mails, phone numbers, device tokens). */
  identifying: string[];
  /** Values that say something only next to the person (first and last names, client IPs). */
  descriptive: string[];
  phones: string[];
}

export interface ErasedRecordValues {
  /** What unique_id becomes: stable per user, so per-user counts stay exact. */
  uniqueId: string;
  /** What every other personal field that holds a value becomes. */
  mark: string;
}

/**
 * Retention and erasure of authentication records (issue 16 item 2, docs/decisions/0025). Not on the
 * hot path: the purge runs in the reporting worker, erasure on an admin's request.
 */
@Injectable()
export class RecordRetentionRepository {
  /**
   * Deletes up to `limit` of the tenant's records older than `before`; the caller repeats it (each in a
   * short transaction of its own) until it returns fewer than `limit`. Walks the primary key
   * (tenant_id, occurred_at, id), so each batch reads only the rows it deletes.
   */
  async purgeBatch(scope: SqlScope, before: Date, limit: number): Promise<number> {
    const rows = await scope.query<{ n: number }>(
      `WITH doomed AS (
         SELECT tenant_id, occurred_at, id FROM authentication_records
          WHERE tenant_id = $1 AND occurred_at < $2 ORDER BY occurred_at LIMIT $3),
       gone AS (
         DELETE FROM authentication_records r USING doomed d
          WHERE r.tenant_id = d.tenant_id AND r.occurred_at = d.occurred_at AND r.id = d.id
          RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [scope.tenantId, before, limit],
    );
    return rows[0]?.n ?? 0;
  }

  /** Detaches and drops the monthly partitions that end at or before `before` (no tenant keeps them). */
  async dropMonthsBefore(
    platform: Pick<DbService, 'query'>,
    before: Date,
  ): Promise<{ partition: string; rows: number }[]> {
    const rows = await platform.query<{ partition: string; rows: string }>(
      'SELECT partition_name AS partition, row_count AS rows FROM twofold_drop_record_months($1::timestamptz)',
      [before],
    );
    return rows.map((r) => ({ partition: r.partition, rows: Number(r.rows) }));
  }

  /** The values of the user's records that erasure must also find elsewhere (audit entries, messages). */
  async personalValues(scope: SqlScope, userId: string): Promise<RecordPersonalValues> {
    const rows = await scope.query<{
      identifying: string[] | null;
      descriptive: string[] | null;
      phones: string[] | null;
    }>(
      `SELECT array_agg(DISTINCT i) FILTER (WHERE i IS NOT NULL) AS identifying,
              array_agg(DISTINCT d) FILTER (WHERE d IS NOT NULL) AS descriptive,
              array_agg(DISTINCT r.phone) FILTER (WHERE r.phone IS NOT NULL) AS phones
         FROM authentication_records r
         CROSS JOIN LATERAL unnest(ARRAY[r.unique_id, r.email, r.phone, r.device_token]) AS i
         CROSS JOIN LATERAL unnest(ARRAY[r.first_name, r.last_name, r.client_ip]) AS d
        WHERE r.tenant_id = $1 AND r.user_id = $2`,
      [scope.tenantId, userId],
    );
    const row = rows[0];
    return { identifying: row?.identifying ?? [], descriptive: row?.descriptive ?? [], phones: row?.phones ?? [] };
  }

  /**
   * Pseudonymises the user's records: the unique id becomes `erased.uniqueId`, every other personal
   * field that holds a value becomes `erased.mark`. Results, methods, times, servers and user ids stay,
   * so counts and reports add up as before. Rows already erased are not written again.
   */
  async eraseUser(scope: SqlScope, userId: string, erased: ErasedRecordValues): Promise<number> {
    const rows = await scope.query<{ n: number }>(
      `WITH changed AS (
         UPDATE authentication_records SET
           unique_id = $3,
           first_name = CASE WHEN first_name IS NULL THEN NULL ELSE $4 END,
           last_name = CASE WHEN last_name IS NULL THEN NULL ELSE $4 END,
           email = CASE WHEN email IS NULL THEN NULL ELSE $4 END,
           phone = CASE WHEN phone IS NULL THEN NULL ELSE $4 END,
           device_token = CASE WHEN device_token IS NULL THEN NULL ELSE $4 END,
           client_ip = CASE WHEN client_ip IS NULL THEN NULL ELSE $4 END
         WHERE tenant_id = $1 AND user_id = $2
           AND (unique_id <> $3 OR first_name <> $4 OR last_name <> $4 OR email <> $4 OR phone <> $4
                OR device_token <> $4 OR client_ip <> $4)
         RETURNING 1)
       SELECT count(*)::int AS n FROM changed`,
      [scope.tenantId, userId, erased.uniqueId, erased.mark],
    );
    return rows[0]?.n ?? 0;
  }
}
