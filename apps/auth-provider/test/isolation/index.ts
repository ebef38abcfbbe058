import type { IsolationFeature } from './feature';
import { foundation } from './foundation.isolation';
import { users } from './users.isolation';

/** Every feature's share of the cross-tenant matrix. */
export const FEATURES: IsolationFeature[] = [foundation, users];
