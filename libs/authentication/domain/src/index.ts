export * from './authentication.errors';
// Base32 and otpauth URIs are shared with the directory (device activation): they live in platform/crypto.
export { decodeBase32, encodeBase32, InvalidBase32Error, otpauthUri } from '@twofold/platform/crypto';
export * from './codes';
export * from './otp';
export * from './authentication';
export * from './destination';
export * from './start';
export * from './record';
