export * from './test-database';
export * from './fake-twilio';
export * from './fake-stripe';
export * from './openapi-fuzz';
export * from './compose';
export * from './prometheus';
