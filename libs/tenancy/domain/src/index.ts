export * from './api-key';
export * from './tenancy.errors';
export * from './tenant-lifecycle';
export * from './retention';
