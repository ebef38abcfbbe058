export * from './api-key';
export * from './tenancy.errors';
export * from './retention';
