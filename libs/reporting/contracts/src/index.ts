/** Builds a report export file (apps/reporting worker). */
export interface RunExportJob {
  type: 'reporting.export.run';
  tenantId: string;
  idempotencyKey: string;
  exportId: string;
}

export type ReportingExportJob = RunExportJob;
