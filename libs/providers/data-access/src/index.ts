export * from './provider.repository';
