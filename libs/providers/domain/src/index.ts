export * from './provider';
export * from './providers.errors';
export * from './mfa-server';
export * from './link';
