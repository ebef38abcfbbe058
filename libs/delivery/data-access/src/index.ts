export * from './message.repository';
export * from './sender.repository';
export * from './delivery-outcome.repository';
export * from './sender-rate.limiter';
export * from './twilio.gateway';
export * from './message.sql-repository';
export * from './sending.sql-repository';
export * from './outbox.repository';
