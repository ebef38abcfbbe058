export * from './billing-period';
export * from './usage';
export * from './billable-users';
export * from './stripe-failure';
export * from './webhook-order';
export * from './billing.errors';
export * from './stripe-customer';
