export * from './api-key';
export * from './tenancy.errors';
