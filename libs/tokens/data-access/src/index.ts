export * from './oath-token.repository';
export * from './oath-token-admin.repository';
export * from './oath-token.sql-repository';
export * from './oath-token-reseal.target';
