export * from './oath-token.repository';
