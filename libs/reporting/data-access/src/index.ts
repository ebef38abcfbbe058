export * from './report-source';
export * from './export.repository';
