export * from './authentication.repository';
export * from './authentication-record.repository';
