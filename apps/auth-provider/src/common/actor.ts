import type { Principal } from '@twofold/platform/auth';
import type { Actor } from '@twofold/tenancy/contracts';

export function actorOf(principal: Principal): Actor {
  return principal.kind === 'operator' ? { type: 'operator' } : { type: 'api_key', apiKeyId: principal.apiKeyId };
}
