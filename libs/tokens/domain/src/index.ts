export * from './tokens.errors';
export * from './oath-key';
export * from './csv-import';
export * from './pskc-import';
