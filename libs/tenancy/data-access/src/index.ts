export * from './tenant.repository';
export * from './api-key.repository';
export * from './audit-log.repository';
export * from './tenant-deletion.repository';
export * from './audit-retention.repository';
export * from './admin.repository';
export * from './admin-reseal.target';
