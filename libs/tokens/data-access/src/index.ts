export * from './oath-token.repository';
export * from './oath-token-admin.repository';
