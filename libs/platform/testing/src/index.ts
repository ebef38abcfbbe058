export * from './test-database';
export * from './fake-twilio';
