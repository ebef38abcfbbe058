import { Inject, Injectable, Logger } from '@nestjs/common';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { APP_CONFIG } from '@twofold/platform/config';
import { Clock, DbService } from '@twofold/platform/db';
import { JobContext, JobProcessor, PermanentJobError, QueueProducer } from '@twofold/platform/queue';
import {
  AUTHENTICATION_COLUMNS,
  ExportRepository,
  ExportRow,
  ReportSource,
  USAGE_COLUMNS,
} from '@twofold/reporting/data-access';
import type { ReportFormatName } from '@twofold/reporting/domain';
import type { RunExportJob } from '@twofold/reporting/contracts';
import type { ReportingWorkerConfig } from '../config';
import { authenticationFilter, render } from '../reports/reports.service';
import { exportFilePath } from './export-files';

const PROGRESS_EVERY_ROWS = 2_000;

/** The file would take the tenant past EXPORT_TENANT_QUOTA_BYTES. */
class ExportQuotaExceeded extends Error {}

/** Passes bytes on (as written to disk) until `allowance` is spent, then fails the pipeline. */
function withinQuota(allowance: number, quotaBytes: number): Transform {
  let written = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      written += chunk.length;
      if (written > allowance) {
        callback(
          new ExportQuotaExceeded(
            `The file would take the tenant's export files past their quota (${quotaBytes} bytes); export a shorter range, or wait for older files to expire.`,
          ),
        );
      } else callback(null, chunk);
    },
  });
}

/**
 * Builds an export file from a Postgres cursor, row by row (flat memory), gzip if asked, with
 * progress written as it goes; on completion schedules the file's deletion at its expiry.
 */
@Injectable()
export class ExportProcessor implements JobProcessor<'reporting.export'> {
  readonly queue = 'reporting.export' as const;
  readonly type = 'reporting.export.run' as const;
  private readonly logger = new Logger(ExportProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ReportingWorkerConfig,
    private readonly db: DbService,
    private readonly exports: ExportRepository,
    private readonly source: ReportSource,
    private readonly producer: QueueProducer,
    private readonly clock: Clock,
  ) {}

  async handle(job: RunExportJob, ctx: JobContext): Promise<void> {
    const row = await this.db.inTenant(job.tenantId, (scope) => this.exports.find(scope, job.exportId));
    if (!row) throw new PermanentJobError('export not found');
    if (job.action === 'expire') return this.expire(job.tenantId, row);
    if (row.status === 'done' || row.status === 'expired') return;
    const path = exportFilePath(
      this.config.EXPORT_DIR,
      row.dataRegion,
      job.tenantId,
      row.id,
      row.format as ReportFormatName,
      row.gzip,
    );
    try {
      await this.run(job.tenantId, row, path);
    } catch (error) {
      this.logger.warn(
        { exportId: row.id, attempt: ctx.attempt, err: error instanceof Error ? error.message : String(error) },
        'export failed',
      );
      // Issue 15 item 6: a failed export leaves no file behind (it would count against nothing and stay forever).
      await rm(path, { force: true }).catch(() => undefined);
      await this.db.inTenant(job.tenantId, (scope) =>
        this.exports.update(scope, row.id, {
          status: 'failed',
          filePath: null,
          error:
            error instanceof ExportQuotaExceeded ? error.message : 'The export could not be written; create it again.',
        }),
      );
      throw new PermanentJobError('export failed');
    }
  }

  private async run(tenantId: string, row: ExportRow, path: string): Promise<void> {
    const filters = row.filters as { from: string; to: string; granularity?: 'day' | 'month' } & Record<
      string,
      string | undefined
    >;
    const format = row.format as ReportFormatName;
    const isAuth = row.reportType === 'authentication';
    const filter = authenticationFilter({ ...filters, from: filters.from, to: filters.to, cursor: undefined });
    const total = isAuth ? await this.source.countAuthentications(tenantId, row.dataRegion, filter) : null;
    const used = await this.db.inTenant(tenantId, (scope) => this.exports.usedBytes(scope, this.clock.now(), row.id));
    const allowance = Math.max(0, this.config.EXPORT_TENANT_QUOTA_BYTES - used);
    await this.db.inTenant(tenantId, (scope) =>
      this.exports.update(scope, row.id, {
        status: 'running',
        startedAt: this.clock.now(),
        rowsTotal: total,
        rowsDone: 0,
        filePath: path,
      }),
    );
    await mkdir(dirname(path), { recursive: true });

    let done = 0;
    let reported = 0;
    const counted = async function* (rows: AsyncIterable<Record<string, unknown>>) {
      for await (const r of rows) {
        done += 1;
        yield r;
      }
    };
    // CSV of authentications comes straight from COPY; its rows are counted by line ends.
    const viaCopy = isAuth && format === 'csv';
    let lineEnds = 0;
    const progress = new Transform({
      transform: (chunk: Buffer, _enc, callback) => {
        if (viaCopy) {
          for (const byte of chunk) if (byte === 0x0a) lineEnds += 1;
          done = Math.max(0, lineEnds - 1); // the header is the first line
        }
        if (done - reported >= PROGRESS_EVERY_ROWS) {
          reported = done;
          this.db
            .inTenant(tenantId, (scope) => this.exports.update(scope, row.id, { rowsDone: done }))
            .then(() => callback(null, chunk), callback);
        } else callback(null, chunk);
      },
    });
    // Each source holds a report connection from the moment it is opened: open only the one used.
    const body = viaCopy
      ? await this.source.authenticationsCsv(tenantId, row.dataRegion, filter)
      : Readable.from(
          render(
            format,
            isAuth ? AUTHENTICATION_COLUMNS : USAGE_COLUMNS,
            counted(
              isAuth
                ? await this.source.authentications(tenantId, row.dataRegion, filter)
                : await this.source.usage(
                    tenantId,
                    filters.granularity ?? 'day',
                    new Date(filters.from),
                    new Date(filters.to),
                  ),
            ),
          ),
        );
    const out = createWriteStream(path);
    const quota = withinQuota(allowance, this.config.EXPORT_TENANT_QUOTA_BYTES);
    await (row.gzip ? pipeline(body, progress, createGzip(), quota, out) : pipeline(body, progress, quota, out));

    const completedAt = this.clock.now();
    const expiresAt = new Date(completedAt.getTime() + this.config.EXPORT_RETENTION_HOURS * 3_600_000);
    const size = (await stat(path)).size;
    await this.db.inTenant(tenantId, (scope) =>
      this.exports.update(scope, row.id, {
        status: 'done',
        rowsDone: done,
        rowsTotal: total ?? done,
        fileSize: BigInt(size),
        completedAt,
        expiresAt,
      }),
    );
    await this.producer.enqueue(
      'reporting.export',
      {
        type: 'reporting.export.run',
        tenantId,
        idempotencyKey: `expire:${row.id}`,
        exportId: row.id,
        action: 'expire',
      },
      { delay: Math.max(0, expiresAt.getTime() - Date.now()) },
    );
  }

  private async expire(tenantId: string, row: ExportRow): Promise<void> {
    if (row.filePath) await rm(row.filePath, { force: true });
    await this.db.inTenant(tenantId, (scope) => this.exports.update(scope, row.id, { status: 'expired' }));
  }
}
