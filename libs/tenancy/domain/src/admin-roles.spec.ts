import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_ROLES, missingPermissions, PERMISSIONS, permissionsOfRole, ROLE_PERMISSIONS } from './admin-roles';

describe('admin roles and permissions (issue 18)', () => {
  it('an owner holds every permission; an auditor every read and nothing that changes', () => {
    expect(permissionsOfRole('owner')).toEqual(PERMISSIONS);
    expect(permissionsOfRole('auditor').every((p) => p.endsWith(':read'))).toBe(true);
    expect(permissionsOfRole('auditor')).toContain('audit:read');
    expect(permissionsOfRole('auditor')).toContain('billing:read');
  });

  it('helpdesk resets and unlocks users but neither reads billing nor manages keys or admins', () => {
    const helpdesk = permissionsOfRole('helpdesk');
    expect(helpdesk).toEqual(expect.arrayContaining(['users:read', 'users:write', 'users:unlock']));
    for (const p of ['billing:read', 'keys:write', 'admins:write', 'users:erase', 'settings:write'])
      expect(helpdesk).not.toContain(p);
  });

  it('only an owner invites admins or buys; every role’s permissions are known names', () => {
    for (const role of ADMIN_ROLES) {
      expect(ROLE_PERMISSIONS[role].includes('admins:write')).toBe(role === 'owner');
      for (const p of ROLE_PERMISSIONS[role]) expect(PERMISSIONS).toContain(p);
    }
    expect(ROLE_PERMISSIONS.billing).toContain('billing:write');
    expect(ROLE_PERMISSIONS.admin).not.toContain('billing:write');
  });

  it('missingPermissions names what a caller would hand out beyond its own', () => {
    expect(missingPermissions(permissionsOfRole('admin'), permissionsOfRole('owner'))).toEqual([
      'admins:write',
      'billing:write',
    ]);
    expect(missingPermissions(PERMISSIONS, ['users:read'])).toEqual([]);
  });

  it('docs/admin-roles.md shows exactly this table', () => {
    const doc = readFileSync(join(__dirname, '../../../../docs/admin-roles.md'), 'utf8');
    for (const p of PERMISSIONS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${p}\` `)) ?? '';
      expect(row).not.toBe('');
      const cells = row
        .split('|')
        .slice(2, 2 + ADMIN_ROLES.length)
        .map((c) => c.trim());
      expect(cells).toEqual(ADMIN_ROLES.map((r) => (ROLE_PERMISSIONS[r].includes(p) ? '✓' : '')));
    }
  });
});
