import type { Principal } from '@twofold/platform/auth';
import type { Actor } from '@twofold/tenancy/contracts';

export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'operator':
      return { type: 'operator' };
    case 'tenant':
      return { type: 'api_key', apiKeyId: principal.apiKeyId };
    case 'admin':
      return { type: 'admin', adminId: principal.adminId };
    case 'mfa_server':
      return { type: 'mfa_server', serverId: principal.serverId };
  }
}
