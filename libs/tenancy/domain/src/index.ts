export * from './api-key';
export * from './tenancy.errors';
export * from './tenant-lifecycle';
export * from './retention';
export * from './admin-roles';
export * from './admin-identity';
