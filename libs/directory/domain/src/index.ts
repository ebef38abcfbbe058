export * from './user';
export * from './users.errors';
export * from './licenses.errors';
export * from './directory.errors';
export * from './methods';
export * from './registration';
export * from './authenticator';
export * from './app-password';
