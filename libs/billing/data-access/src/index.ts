export * from './usage-outbox.repository';
