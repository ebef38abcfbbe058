export * from './message.repository';
