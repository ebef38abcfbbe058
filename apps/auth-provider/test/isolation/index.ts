import { admins } from './admins.isolation';
import { authentications } from './authentications.isolation';
import type { IsolationFeature } from './feature';
import { directoryMethods } from './directory-methods.isolation';
import { foundation } from './foundation.isolation';
import { mfaServers } from './mfa-servers.isolation';
import { licenses } from './licenses.isolation';
import { linkConsents } from './link-consents.isolation';
import { oathTokens } from './oath-tokens.isolation';
import { users } from './users.isolation';

/** Every feature's share of the cross-tenant matrix. */
export const FEATURES: IsolationFeature[] = [
  authentications,
  linkConsents,
  foundation,
  users,
  licenses,
  mfaServers,
  directoryMethods,
  oathTokens,
  admins,
];
