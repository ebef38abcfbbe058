/**
 * Who may do what in a tenant (issue 18, docs/admin-roles.md, docs/decisions/0031). One list of
 * permissions serves admin roles and API key scopes alike: every endpoint names the one it needs, and
 * the guard checks it for a session and a key the same way.
 */
export const PERMISSIONS = [
  'authentications:write',
  'users:read',
  'users:write',
  'users:unlock',
  'users:erase',
  'tokens:read',
  'tokens:write',
  'licenses:read',
  'licenses:write',
  'providers:read',
  'providers:write',
  'settings:read',
  'settings:write',
  'keys:read',
  'keys:write',
  'admins:read',
  'admins:write',
  'audit:read',
  'reports:read',
  'billing:read',
  'billing:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ADMIN_ROLES = ['owner', 'admin', 'helpdesk', 'billing', 'auditor'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

const READS = PERMISSIONS.filter((p) => p.endsWith(':read'));

/** The role → permission table (docs/admin-roles.md shows the same table; a test keeps them equal). */
export const ROLE_PERMISSIONS: Readonly<Record<AdminRole, readonly Permission[]>> = {
  /** Everything, including who the admins are and what the tenant buys. */
  owner: PERMISSIONS,
  /** Runs the service: everything but the admins themselves and purchases. */
  admin: PERMISSIONS.filter((p) => p !== 'admins:write' && p !== 'billing:write'),
  /** A lost phone, a locked user, a new token: people and their methods, nothing else that changes. */
  helpdesk: [
    'users:read',
    'users:write',
    'users:unlock',
    'tokens:read',
    'tokens:write',
    'licenses:read',
    'reports:read',
  ],
  /** Usage, invoices, seats. */
  billing: ['billing:read', 'billing:write', 'licenses:read', 'licenses:write', 'reports:read'],
  /** Reads everything, changes nothing. */
  auditor: READS,
};

export const isPermission = (value: string): value is Permission => (PERMISSIONS as readonly string[]).includes(value);
export const isAdminRole = (value: string): value is AdminRole => (ADMIN_ROLES as readonly string[]).includes(value);

export function permissionsOfRole(role: AdminRole): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

/**
 * No escalation: a caller can hand out (to a new key, to an invited admin's role) only permissions
 * it holds itself. Returns the ones it lacks, in table order.
 */
export function missingPermissions(held: readonly string[], wanted: readonly string[]): Permission[] {
  return PERMISSIONS.filter((p) => wanted.includes(p) && !held.includes(p));
}
