export * from './authentication.types';
export * from './authentication-sql.repository';
export * from './record-retention.repository';
export * from './start-context-cache';
