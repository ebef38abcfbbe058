/**
 * Export jobs (apps/reporting worker): `run` builds the file; `expire` (scheduled for the export's
 * expiry when it completes) deletes it. The export id is the idempotency key of each.
 */
export interface RunExportJob {
  type: 'reporting.export.run';
  tenantId: string;
  idempotencyKey: string;
  exportId: string;
  action: 'run' | 'expire';
}

export type ReportingExportJob = RunExportJob;
