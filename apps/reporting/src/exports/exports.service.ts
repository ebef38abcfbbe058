import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@twofold/platform/config';
import { createReadStream, existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Clock, DbService } from '@twofold/platform/db';
import { CommonErrorCode, DomainError, NotFoundError } from '@twofold/platform/errors';
import { QueueProducer } from '@twofold/platform/queue';
import { ExportRepository, ExportRow } from '@twofold/reporting/data-access';
import { CONTENT_TYPES, ReportFormatName } from '@twofold/reporting/domain';
import { TenantRepository } from '@twofold/tenancy/data-access';
import type { ReportingHttpConfig } from '../config';
import type { CreateExportDto, ExportDto } from './dto/export.dto';

export const ExportErrors = {
  notFound: () => new NotFoundError('export_not_found', 'The export'),
  notReady: (status: string) =>
    new DomainError('export_not_ready', 'conflict', `The export is ${status}; download it once it is done.`, {
      status,
    }),
  expired: () =>
    new DomainError('export_expired', 'gone', 'The export has expired and its file was deleted; create a new one.'),
  badRange: (problem: string) =>
    new DomainError(CommonErrorCode.ValidationFailed, 'invalid', 'The range is not valid.', {
      errors: [{ field: 'to', problems: [problem] }],
    }),
  tooMany: (limit: number) =>
    new DomainError(
      'export_limit_reached',
      'rate_limited',
      `At most ${limit} exports of a tenant are queued or running at once; wait for one to finish.`,
      { retryAfterSeconds: 30, limit },
    ),
  quotaExceeded: (quotaBytes: number) =>
    new DomainError(
      'export_quota_exceeded',
      'conflict',
      `The tenant's export files take their whole quota (${quotaBytes} bytes); new exports can start once older files expire.`,
      { quotaBytes },
    ),
};

/** The widest range one export (or report) covers. */
export const MAX_EXPORT_RANGE_DAYS = 400;

/** A queued or running export older than this is taken as abandoned (a lost job) and no longer counts. */
const ACTIVE_EXPORT_WINDOW_MS = 24 * 3_600_000;

export function toExportDto(e: ExportRow): ExportDto {
  const total = e.rowsTotal;
  const percent = e.status === 'done' ? 100 : total ? Math.min(100, Math.floor((e.rowsDone * 100) / total)) : 0;
  return {
    id: e.id,
    status: e.status,
    progress: { rowsDone: e.rowsDone, rowsTotal: total, percent },
    report: e.reportType === 'authentication' ? 'authentications' : 'usage',
    format: e.format,
    gzip: e.gzip,
    createdAt: e.createdAt,
    completedAt: e.completedAt,
    expiresAt: e.expiresAt,
    error: e.error,
  };
}

@Injectable()
export class ExportsService {
  constructor(
    private readonly db: DbService,
    private readonly exports: ExportRepository,
    private readonly tenants: TenantRepository,
    private readonly producer: QueueProducer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: ReportingHttpConfig,
  ) {}

  async create(
    tenantId: string,
    input: CreateExportDto,
    requestedBy: string | null,
    correlationId: string,
  ): Promise<ExportRow> {
    const span = new Date(input.to).getTime() - new Date(input.from).getTime();
    if (span <= 0) throw ExportErrors.badRange('to must be after from');
    if (span > MAX_EXPORT_RANGE_DAYS * 86_400_000) {
      throw ExportErrors.badRange(`an export covers at most ${MAX_EXPORT_RANGE_DAYS} days`);
    }
    const id = randomUUID();
    const row = await this.db.inTenant(tenantId, async (scope) => {
      // Issue 15 item 6: per-tenant caps on exports in flight and on the disk their files take.
      await this.exports.lockAdmissions(scope);
      const now = this.clock.now();
      const active = await this.exports.countActive(scope, new Date(now.getTime() - ACTIVE_EXPORT_WINDOW_MS));
      if (active >= this.config.EXPORT_ACTIVE_PER_TENANT)
        throw ExportErrors.tooMany(this.config.EXPORT_ACTIVE_PER_TENANT);
      if ((await this.exports.usedBytes(scope, now)) >= this.config.EXPORT_TENANT_QUOTA_BYTES) {
        throw ExportErrors.quotaExceeded(this.config.EXPORT_TENANT_QUOTA_BYTES);
      }
      const tenant = await this.tenants.find(scope);
      return this.exports.create(scope, {
        id,
        reportType: input.report === 'authentications' ? 'authentication' : 'usage',
        format: input.format,
        gzip: input.gzip ?? false,
        dataRegion: tenant?.dataRegion ?? 'us',
        filters: { from: input.from, to: input.to, ...(input.filters ?? {}) },
        requestedBy,
        correlationId,
      });
    });
    await this.producer.enqueue('reporting.export', {
      type: 'reporting.export.run',
      tenantId,
      idempotencyKey: `run:${id}`,
      exportId: id,
      action: 'run',
    });
    return row;
  }

  async get(tenantId: string, id: string): Promise<ExportRow> {
    const row = await this.db.inTenant(tenantId, (scope) => this.exports.find(scope, id));
    if (!row) throw ExportErrors.notFound();
    return this.withExpiry(tenantId, row);
  }

  async download(
    tenantId: string,
    id: string,
  ): Promise<{ stream: Readable; contentType: string; fileName: string; gzip: boolean }> {
    const row = await this.get(tenantId, id);
    if (row.status === 'expired') throw ExportErrors.expired();
    if (row.status !== 'done' || !row.filePath) throw ExportErrors.notReady(row.status);
    if (!existsSync(row.filePath)) throw ExportErrors.expired();
    const ext = `${row.format}${row.gzip ? '.gz' : ''}`;
    return {
      stream: createReadStream(row.filePath),
      contentType: row.gzip ? 'application/gzip' : CONTENT_TYPES[row.format as ReportFormatName],
      fileName: `${row.reportType === 'authentication' ? 'authentications' : 'usage'}-${row.id}.${ext}`,
      gzip: row.gzip,
    };
  }

  /** An export past its retention reads as expired even before the delete job ran. */
  private async withExpiry(tenantId: string, row: ExportRow): Promise<ExportRow> {
    if (row.status === 'done' && row.expiresAt && row.expiresAt <= this.clock.now()) {
      await this.db.inTenant(tenantId, (scope) => this.exports.update(scope, row.id, { status: 'expired' }));
      return { ...row, status: 'expired' };
    }
    return row;
  }
}
