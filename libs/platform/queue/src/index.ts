export * from './queues';
export * from './redis';
export * from './producer';
export * from './worker-runtime';
export * from './queue.module';
export * from './worker.module';
export * from './rate-limiter';
export * from './lockout';
