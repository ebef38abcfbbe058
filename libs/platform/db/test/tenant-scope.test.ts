import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { BaseConfig } from '@twofold/platform/config';
import { DomainError } from '@twofold/platform/errors';
import { adminQuery, createTestDatabase, TestDatabase } from '@twofold/platform/testing';
import { DbService } from '../src';

/** The RLS backstop (STYLE: tenancy layer 3), proven as the app role the services use. */
describe('tenant scope and row-level security', () => {
  let db: TestDatabase;
  let svc: DbService;
  const a = randomUUID();
  const b = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const [id, name] of [
      [a, 'A'],
      [b, 'B'],
    ]) {
      await adminQuery(db, `INSERT INTO tenants (id, name, data_region, updated_at) VALUES ($1, $2, 'us', now())`, [
        id,
        name,
      ]);
      await adminQuery(
        db,
        `INSERT INTO providers (tenant_id, id, name, billing_model, linked_tenant_id, updated_at) VALUES ($1, $2, $3, 'per_user', $1, now())`,
        [id, randomUUID(), `provider of ${name}`],
      );
    }
    svc = new DbService({ DATABASE_URL: db.appUrl, DATABASE_POOL_SIZE: 4 } as BaseConfig);
    await svc.onModuleInit();
  });

  afterAll(async () => {
    await svc.onModuleDestroy();
    await db.drop();
  });

  it('the app role is not the owner, not superuser, not BYPASSRLS', async () => {
    const rows = await svc.client.$queryRaw<{ rolsuper: boolean; rolbypassrls: boolean; owner: boolean }[]>`
      SELECT r.rolsuper, r.rolbypassrls, (SELECT tableowner = current_user::text FROM pg_tables WHERE tablename = 'providers') AS owner
      FROM pg_roles r WHERE r.rolname = current_user::text`;
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owner: false });
  });

  it('without a tenant set, the app role sees no tenant rows at all', async () => {
    const client = new Client({ connectionString: db.appUrl });
    await client.connect();
    try {
      for (const table of ['tenants', 'providers', 'api_keys', 'audit_log', 'users']) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect(rows[0].n).toBe(0);
      }
    } finally {
      await client.end();
    }
  });

  it('inside a tenant scope only that tenant’s rows exist, even without a tenant filter', async () => {
    const names = await svc.inTenant(a, (s) => s.tx.provider.findMany({ select: { name: true } }));
    expect(names).toEqual([{ name: 'provider of A' }]);
  });

  it('cannot write another tenant’s rows from a scope', async () => {
    await expect(
      svc.inTenant(a, (s) =>
        s.tx.provider.create({
          data: { tenantId: b, name: 'smuggled', billingModel: 'per_user', linkedTenantId: b },
        }),
      ),
    ).rejects.toThrow();
    const updated = await svc.inTenant(a, (s) =>
      s.tx.provider.updateMany({ where: { tenantId: b }, data: { name: 'x' } }),
    );
    expect(updated.count).toBe(0);
    const rows = await adminQuery(db, `SELECT name FROM providers WHERE name = 'smuggled' OR name = 'x'`);
    expect(rows).toHaveLength(0);
  });

  it('the tenant setting does not leak to the next use of a pooled connection', async () => {
    await svc.inTenant(a, (s) => s.tx.provider.count());
    const outside = await svc.client.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM providers`;
    expect(outside[0]?.n).toBe(0);
  });

  it('maps the R1 trigger to a billing_model_immutable conflict', async () => {
    const error = await svc
      .inTenant(a, (s) =>
        s.tx.provider.updateMany({ where: { tenantId: a }, data: { billingModel: 'per_authentication' } }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'billing_model_immutable', kind: 'conflict' });
  });
});
