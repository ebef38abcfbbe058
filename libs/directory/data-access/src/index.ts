export * from './user.repository';
export * from './license.repository';
