export * from './provider';
export * from './providers.errors';
