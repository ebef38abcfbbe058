export * from './routing';
export * from './status';
export * from './message-text';
export * from './fallback';
