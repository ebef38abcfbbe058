export * from './provider.repository';
export * from './mfa-server.repository';
export * from './activation-credential.repository';
export * from './mfa-server.verifier';
export * from './link-consent.repository';
