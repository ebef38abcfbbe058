import { Injectable } from '@nestjs/common';
import type { Prisma, TenantScope } from '@twofold/platform/db';

export interface ExportRow {
  id: string;
  tenantId: string;
  reportType: 'authentication' | 'usage';
  format: 'csv' | 'ndjson' | 'json';
  filters: unknown;
  status: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  rowsDone: number;
  rowsTotal: number | null;
  gzip: boolean;
  filePath: string | null;
  fileSize: bigint | null;
  dataRegion: string;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  expiresAt: Date | null;
}

const FIELDS = {
  id: true,
  tenantId: true,
  reportType: true,
  format: true,
  filters: true,
  status: true,
  rowsDone: true,
  rowsTotal: true,
  gzip: true,
  filePath: true,
  fileSize: true,
  dataRegion: true,
  error: true,
  createdAt: true,
  startedAt: true,
  completedAt: true,
  expiresAt: true,
} as const;

@Injectable()
export class ExportRepository {
  async create(
    scope: TenantScope,
    input: Pick<ExportRow, 'id' | 'reportType' | 'format' | 'dataRegion' | 'gzip'> & {
      filters: Prisma.InputJsonObject;
      requestedBy: string | null;
      correlationId: string;
    },
  ): Promise<ExportRow> {
    return scope.tx.reportExport.create({
      data: { tenantId: scope.tenantId, ...input, dataRegion: input.dataRegion as 'us' },
      select: FIELDS,
    }) as Promise<ExportRow>;
  }

  async find(scope: TenantScope, id: string): Promise<ExportRow | null> {
    return scope.tx.reportExport.findFirst({
      where: { tenantId: scope.tenantId, id },
      select: FIELDS,
    }) as Promise<ExportRow | null>;
  }

  async update(
    scope: TenantScope,
    id: string,
    patch: Partial<
      Pick<
        ExportRow,
        | 'status'
        | 'rowsDone'
        | 'rowsTotal'
        | 'filePath'
        | 'fileSize'
        | 'error'
        | 'startedAt'
        | 'completedAt'
        | 'expiresAt'
      >
    >,
  ): Promise<void> {
    await scope.tx.reportExport.updateMany({ where: { tenantId: scope.tenantId, id }, data: patch });
  }

  /**
   * Serialises the tenant's export admissions (count and quota checks, then the insert) until the
   * transaction ends, so two parallel requests cannot both take the last slot.
   */
  async lockAdmissions(scope: TenantScope): Promise<void> {
    await scope.tx
      .$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended(${`report_exports:${scope.tenantId}`}, 0))) l`;
  }

  /** Exports queued or running that were created after `since` (older ones count as abandoned). */
  async countActive(scope: TenantScope, since: Date): Promise<number> {
    return scope.tx.reportExport.count({
      where: { tenantId: scope.tenantId, status: { in: ['queued', 'running'] }, createdAt: { gt: since } },
    });
  }

  /** Bytes of the tenant's export files on disk: done and not yet expired (`except`: the export being written). */
  async usedBytes(scope: TenantScope, now: Date, except?: string): Promise<number> {
    const sum = await scope.tx.reportExport.aggregate({
      _sum: { fileSize: true },
      where: {
        tenantId: scope.tenantId,
        status: 'done',
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
        ...(except ? { id: { not: except } } : {}),
      },
    });
    return Number(sum._sum.fileSize ?? 0n);
  }
}
