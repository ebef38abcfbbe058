export * from './user';
export * from './users.errors';
export * from './licenses.errors';
