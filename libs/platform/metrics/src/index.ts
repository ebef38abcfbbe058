export * from './registry';
export * from './access';
export * from './http-metrics';
export * from './listener';
export * from './metrics-listener.module';
export * from './cluster';
