export * from './catalog';
export * from './directory-history';
export * from './fixture';
export * from './history';
export * from './plans';
export * from './record';
