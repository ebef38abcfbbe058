export * from './user.repository';
export * from './license.repository';
export * from './registration.repository';
export * from './method.repository';
export * from './method-policy.repository';
export * from './device-activation.repository';
export * from './app-password.repository';
export * from './authenticator.sql-repository';
