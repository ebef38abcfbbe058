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
    await svc.close();
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

  it('inTenantSql (plain pg) sees only its tenant, cannot write another’s, and leaves nothing set behind', async () => {
    const names = await svc.inTenantSql(a, (s) => s.query<{ name: string }>('SELECT name FROM providers'));
    expect(names).toEqual([{ name: 'provider of A' }]);
    const error = await svc
      .inTenantSql(a, (s) =>
        s.query(
          `INSERT INTO providers (tenant_id, id, name, billing_model, linked_tenant_id, updated_at)
           VALUES ($1, gen_random_uuid(), 'smuggled', 'per_user', $1, now())`,
          [b],
        ),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    // Same pool as Prisma: the next user of any connection sees no tenant.
    for (let i = 0; i < 8; i++) {
      await svc.inTenantSql(a, (s) => s.query('SELECT 1'));
      expect(await svc.query<{ n: number }>('SELECT count(*)::int AS n FROM providers')).toEqual([{ n: 0 }]);
      const viaPrisma = await svc.client.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM providers`;
      expect(viaPrisma[0]?.n).toBe(0);
    }
  });

  it('inTenantSql rolls back everything when the work fails, and maps rule triggers like inTenant', async () => {
    const failed = await svc
      .inTenantSql(a, async (s) => {
        await s.query(`UPDATE providers SET name = 'half-written' WHERE tenant_id = $1`, [a]);
        throw new Error('boom');
      })
      .catch((e: unknown) => e);
    expect((failed as Error).message).toBe('boom');
    expect(await adminQuery(db, `SELECT 1 FROM providers WHERE name = 'half-written'`)).toHaveLength(0);
    const rule = await svc
      .inTenantSql(a, (s) =>
        s.query(`UPDATE providers SET billing_model = 'per_authentication' WHERE tenant_id = $1`, [a]),
      )
      .catch((e: unknown) => e);
    expect(rule).toMatchObject({ code: 'billing_model_immutable', kind: 'conflict' });
  });

  it('a transaction that outlives its timeout is a 503-kind error, not an internal one', async () => {
    const error = await svc
      .inTenant(a, (s) => s.tx.$queryRaw`SELECT pg_sleep(0.3)::text`.then(() => s.tx.provider.count()), {
        timeoutMs: 100,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'service_unavailable', kind: 'unavailable' });
  });

  it('inTenantSql cancels a statement past its timeout and answers 503-kind, with nothing written', async () => {
    const error = await svc
      .inTenantSql(a, async (s) => {
        await s.query(`UPDATE providers SET name = 'slow' WHERE tenant_id = $1`, [a]);
        await s.query('SET LOCAL statement_timeout = 100');
        await s.query('SELECT pg_sleep(1)');
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'service_unavailable', kind: 'unavailable' });
    expect(await adminQuery(db, `SELECT 1 FROM providers WHERE name = 'slow'`)).toHaveLength(0);
  });

  it('commitWithNext: the last statement and COMMIT go together; its rows arrive only once committed', async () => {
    const rows = await svc.inTenantSql(a, async (s) => {
      await s.query(`SELECT 1`);
      s.commitWithNext();
      return s.query<{ name: string }>(
        `UPDATE providers SET name = 'renamed in one write' WHERE tenant_id = $1 RETURNING name`,
        [a],
      );
    });
    expect(rows).toEqual([{ name: 'renamed in one write' }]);
    expect(await adminQuery(db, `SELECT 1 FROM providers WHERE name = 'renamed in one write'`)).toHaveLength(1);
    await adminQuery(db, `UPDATE providers SET name = 'provider of A' WHERE tenant_id = $1`, [a]);
  });

  it('commitWithNext: a failing last statement writes nothing (the COMMIT behind it rolls back) and is reported', async () => {
    const error = await svc
      .inTenantSql(a, async (s) => {
        await s.query(`UPDATE providers SET name = 'before the failure' WHERE tenant_id = $1`, [a]);
        s.commitWithNext();
        return s.query(`UPDATE providers SET billing_model = 'per_authentication' WHERE tenant_id = $1`, [a]);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'billing_model_immutable', kind: 'conflict' });
    expect(await adminQuery(db, `SELECT 1 FROM providers WHERE name = 'before the failure'`)).toHaveLength(0);
    // the connection is clean for its next user
    expect(await svc.inTenantSql(a, (s) => s.query<{ n: number }>('SELECT count(*)::int AS n FROM providers'))).toEqual(
      [{ n: 1 }],
    );
  });

  it('commitWithNext: a statement after the committed one is refused, not run outside the transaction', async () => {
    const error = await svc
      .inTenantSql(a, async (s) => {
        s.commitWithNext();
        await s.query('SELECT 1');
        await s.query(`UPDATE providers SET name = 'after commit' WHERE tenant_id = $1`, [a]);
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/after the one sent with COMMIT/);
    expect(await adminQuery(db, `SELECT 1 FROM providers WHERE name = 'after commit'`)).toHaveLength(0);
  });

  it('attach: a write rides inside the next statement (one statement sent), in the same transaction', async () => {
    const sent: string[] = [];
    const untap = svc.tapStatements((st) => sent.push(st.text));
    const name = `attached ${randomUUID()}`;
    try {
      const rows = await svc.inTenantSql(a, async (s) => {
        s.attach({
          text: `INSERT INTO providers (tenant_id, id, name, billing_model, updated_at)
                 VALUES ($1, $2, $3, 'per_user', now())`,
          values: [a, randomUUID(), name],
        });
        s.commitWithNext();
        return s.query<{ n: number }>(`SELECT count(*)::int AS n FROM providers WHERE tenant_id = $1`, [a]);
      });
      expect(rows).toEqual([{ n: 1 }]); // the CTE's insert is not visible to its own statement's snapshot
    } finally {
      untap();
    }
    expect(sent.filter((t) => t.includes(name) || t.includes('INSERT INTO providers'))).toHaveLength(1);
    expect(sent.find((t) => t.includes('INSERT INTO providers'))).toMatch(/^WITH s0 AS \(SELECT count/);
    expect(await adminQuery(db, `SELECT 1 FROM providers WHERE name = $1`, [name])).toHaveLength(1);
    await adminQuery(db, `DELETE FROM providers WHERE name = $1`, [name]);
  });

  it('attach: a write no statement carried is a programming error; the transaction rolls back', async () => {
    const name = `never carried ${randomUUID()}`;
    const error = await svc
      .inTenantSql(a, async (s) => {
        await s.query(`UPDATE providers SET name = $2 WHERE tenant_id = $1`, [a, name]);
        s.attach({ text: 'SELECT 1', values: [] });
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/attached but no statement carried it/);
    expect(await adminQuery(db, `SELECT 1 FROM providers WHERE name = $1`, [name])).toHaveLength(0);
  });

  it('afterCommit: effects run once committed, never after a rollback', async () => {
    const seen: string[] = [];
    await svc.inTenantSql(a, async (s) => {
      s.afterCommit(async () => {
        // The transaction's write is visible to anyone: it committed before the effect ran.
        const rows = await adminQuery(db, `SELECT 1 FROM providers WHERE name = 'effect after commit'`);
        seen.push(`committed:${rows.length}`);
      });
      s.commitWithNext();
      await s.query(`UPDATE providers SET name = 'effect after commit' WHERE tenant_id = $1`, [a]);
      seen.push('work done');
    });
    expect(seen).toEqual(['work done', 'committed:1']);
    await adminQuery(db, `UPDATE providers SET name = 'provider of A' WHERE tenant_id = $1`, [a]);

    const rolledBack = await svc
      .inTenantSql(a, async (s) => {
        s.afterCommit(async () => {
          seen.push('must not run');
        });
        throw new Error('refused');
      })
      .catch((e: unknown) => e);
    expect((rolledBack as Error).message).toBe('refused');
    expect(seen).not.toContain('must not run');
  });

  it('afterCommit: a failing effect is logged and does not fail the committed call', async () => {
    const result = await svc.inTenantSql(a, async (s) => {
      s.afterCommit(async () => {
        throw new Error('Redis went away');
      });
      return s.query<{ one: number }>('SELECT 1 AS one');
    });
    expect(result).toEqual([{ one: 1 }]);
  });
});
