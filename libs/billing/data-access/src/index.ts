export * from './usage-relay.repository';
export * from './billable-users.repository';
export * from './billing-accounts.repository';
export * from './stripe.gateway';
export * from './usage-outbox.sql-repository';
export * from './license-purchase.repository';
export * from './usage-backlog.repository';
