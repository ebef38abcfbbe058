export * from './authentication.repository';
export * from './authentication-record.repository';
export * from './authentication-sql.repository';
