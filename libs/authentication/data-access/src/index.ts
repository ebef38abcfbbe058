export * from './authentication.types';
export * from './authentication-sql.repository';
