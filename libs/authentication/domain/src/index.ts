export * from './authentication.errors';
export * from './base32';
export * from './codes';
export * from './otp';
export * from './authentication';
