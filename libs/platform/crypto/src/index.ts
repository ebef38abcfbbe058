export * from './secret-box';
export * from './base32';
export * from './bearer-token';
export * from './key-derivation';
export * from './reseal';
export * from './password-hash';
