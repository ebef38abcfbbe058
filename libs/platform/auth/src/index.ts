export * from './principal';
export * from './bearer.strategy';
export * from './auth.guard';
export * from './auth.module';
export * from './credential-cache';
export * from './ctx';
export * from './session';
