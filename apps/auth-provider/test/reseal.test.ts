import { randomBytes, randomUUID } from 'node:crypto';
import { totp } from '@twofold/authentication/domain';
import { MessageResealTarget } from '@twofold/delivery/data-access';
import { DeviceResealTarget } from '@twofold/directory/data-access';
import { decodeBase32, parseKeyList, SecretBox } from '@twofold/platform/crypto';
import { DbService } from '@twofold/platform/db';
import { adminQuery } from '@twofold/platform/testing';
import { OathTokenResealTarget } from '@twofold/tokens/data-access';
import { AdminResealTarget } from '@twofold/tenancy/data-access';
import { formatReport, parseResealArgs } from '../src/reseal';
import { ResealService } from '../src/reseal/reseal.service';
import { bearer, createTenant, createUser, Harness, startAuthProvider, TenantFixture } from './harness';
import { adminTotpAad, codeAad, deviceSeedAad, oathSecretAad } from '@twofold/secrets/contracts';

const keyOf = () => randomBytes(32).toString('base64');
const OLD = `old:${keyOf()}`;
const NEW = `new:${keyOf()}`;

/**
 * Issue 16 item 6 (docs/operations.md "Rotate secrets"): after a rotation the reseal command moves every
 * sealed secret to the active key, so the old key can leave SECRETS_KEYS; values stay the same.
 */
describe('reseal after a key rotation', () => {
  let h: Harness;
  const tenants: TenantFixture[] = [];

  beforeAll(async () => {
    // The services still seal with "old"; the command runs with "new" active (the rotation's next step).
    h = await startAuthProvider({ SECRETS_KEYS: `${OLD},${NEW}`, SECRETS_ACTIVE_KEY_ID: 'old' });
    tenants.push(await createTenant(h, 'A'), await createTenant(h, 'B'));
    for (const t of tenants) {
      await h
        .http()
        .post('/v1/providers')
        .set(bearer(t.apiKey))
        .send({ name: 'P', billingModel: 'per_authentication' })
        .expect(201);
    }
  });
  afterAll(async () => h.close());

  const serviceWith = (box: SecretBox) => {
    const db = h.app.get(DbService);
    return new ResealService(
      box,
      new DeviceResealTarget(db),
      new OathTokenResealTarget(db),
      new MessageResealTarget(db),
      new AdminResealTarget(db),
    );
  };
  const rotated = () => new SecretBox(parseKeyList(`${OLD},${NEW}`).keys, 'new');
  const onlyNew = () => new SecretBox(parseKeyList(NEW).keys, 'new');

  async function device(t: TenantFixture) {
    const u = await createUser(h, t, { mfaEnabled: true });
    const res = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey)).send({}).expect(201);
    const seed = decodeBase32(new URL(res.body.otpauthUri as string).searchParams.get('secret') as string);
    return { userId: u.id, id: res.body.id as string, seed };
  }

  async function token(t: TenantFixture) {
    const id = randomUUID();
    const secret = randomBytes(20);
    const sealed = h.app.get(SecretBox).seal(secret, oathSecretAad(t.id, id));
    await adminQuery(
      h.db,
      `INSERT INTO oath_tokens (tenant_id, id, serial, secret_ciphertext, key_id, type, algorithm, digits, period, counter, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'totp', 'SHA1', 6, 30, 0, now())`,
      [t.id, id, `SN-${id.slice(0, 8)}`, sealed.ciphertext, sealed.keyId],
    );
    return { id, secret };
  }

  /** A tenant admin whose TOTP seed the service sealed (docs/decisions/0031). */
  async function admin(t: TenantFixture) {
    const id = randomUUID();
    const seed = randomBytes(20);
    const sealed = h.app.get(SecretBox).seal(seed, adminTotpAad(t.id, id));
    await adminQuery(
      h.db,
      `INSERT INTO admins (tenant_id, id, email, role, password_hash, totp_seed_ciphertext, key_id)
       VALUES ($1, $2, $3, 'owner', 'scrypt$not-a-real-hash', $4, $5)`,
      [t.id, id, `owner-${id.slice(0, 8)}@contoso.example`, sealed.ciphertext, sealed.keyId],
    );
    return { id, seed };
  }

  async function queuedCode(t: TenantFixture) {
    const u = await createUser(h, t, { mfaEnabled: true });
    await h
      .http()
      .post(`/v1/users/${u.id}/methods`)
      .set(bearer(t.apiKey))
      .send({ method: 'sms', phoneNumber: '+14255550100' })
      .expect(201);
    const a = await h.http().post('/v1/authentications').set(bearer(t.apiKey)).send({ userId: u.id, method: 'sms' });
    expect(a.status).toBe(201);
    const [m] = await adminQuery<{ id: string; code_ciphertext: Buffer; code_key_id: string }>(
      h.db,
      'SELECT id, code_ciphertext, code_key_id FROM messages WHERE tenant_id = $1 AND authentication_id = $2',
      [t.id, a.body.id],
    );
    const code = h.app.get(SecretBox).open(m.code_key_id, m.code_ciphertext, codeAad(t.id, m.id)).toString('utf8');
    return { id: m.id, code };
  }

  it('re-seals seeds, device secrets, token secrets, queued codes and admin TOTP seeds across tenants, in pages; values unchanged', async () => {
    const devices = [];
    const tokens = [];
    const codes = [];
    const admins = [];
    for (const t of tenants) {
      admins.push({ t, ...(await admin(t)) });
      for (let i = 0; i < 3; i++) devices.push({ t, ...(await device(t)) });
      for (let i = 0; i < 2; i++) tokens.push({ t, ...(await token(t)) });
      codes.push({ t, ...(await queuedCode(t)) });
    }
    const before = await serviceWith(rotated()).counts();
    expect(before.map((c) => [c.kind, c.keys])).toEqual([
      ['device', [{ keyId: 'old', rows: 6 }]],
      ['oath_token', [{ keyId: 'old', rows: 4 }]],
      ['message_code', [{ keyId: 'old', rows: 2 }]],
      ['admin_totp', [{ keyId: 'old', rows: 2 }]],
    ]);
    expect(formatReport('new', before).stale).toBe(14);

    // Pages of 2 rows: a page spans two tenants at the boundary, and the walk goes on past it.
    const reports = await serviceWith(rotated()).resealAll(2);
    expect(reports.map((r) => [r.kind, r.resealed, r.failed.length, r.keys])).toEqual([
      ['device', 6, 0, [{ keyId: 'new', rows: 6 }]],
      ['oath_token', 4, 0, [{ keyId: 'new', rows: 4 }]],
      ['message_code', 2, 0, [{ keyId: 'new', rows: 2 }]],
      ['admin_totp', 2, 0, [{ keyId: 'new', rows: 2 }]],
    ]);
    expect(formatReport('new', reports).stale).toBe(0);

    // Every value opens without the old key, and is what it was.
    const box = onlyNew();
    for (const d of devices) {
      const [row] = await adminQuery<{ seed_ciphertext: Buffer; secret_ciphertext: Buffer; key_id: string }>(
        h.db,
        'SELECT seed_ciphertext, secret_ciphertext, key_id FROM device_activations WHERE tenant_id = $1 AND id = $2',
        [d.t.id, d.id],
      );
      expect(box.open(row.key_id, row.seed_ciphertext, deviceSeedAad(d.t.id, d.userId, d.id))).toEqual(d.seed);
      expect(row.secret_ciphertext).not.toBeNull();
    }
    for (const k of tokens) {
      const [row] = await adminQuery<{ secret_ciphertext: Buffer; key_id: string }>(
        h.db,
        'SELECT secret_ciphertext, key_id FROM oath_tokens WHERE tenant_id = $1 AND id = $2',
        [k.t.id, k.id],
      );
      expect(box.open(row.key_id, row.secret_ciphertext, oathSecretAad(k.t.id, k.id))).toEqual(k.secret);
    }
    for (const c of codes) {
      const [row] = await adminQuery<{ code_ciphertext: Buffer; code_key_id: string }>(
        h.db,
        'SELECT code_ciphertext, code_key_id FROM messages WHERE tenant_id = $1 AND id = $2',
        [c.t.id, c.id],
      );
      expect(box.open(row.code_key_id, row.code_ciphertext, codeAad(c.t.id, c.id)).toString('utf8')).toBe(c.code);
    }

    for (const ad of admins) {
      const [row] = await adminQuery<{ totp_seed_ciphertext: Buffer; key_id: string }>(
        h.db,
        'SELECT totp_seed_ciphertext, key_id FROM admins WHERE tenant_id = $1 AND id = $2',
        [ad.t.id, ad.id],
      );
      expect(box.open(row.key_id, row.totp_seed_ciphertext, adminTotpAad(ad.t.id, ad.id))).toEqual(ad.seed);
    }

    // The service (both keys listed) still verifies a re-sealed authenticator seed: the row names its key.
    const d = devices[0];
    const a = await h
      .http()
      .post('/v1/authentications')
      .set(bearer(d.t.apiKey))
      .send({ userId: d.userId, method: 'app_code' })
      .expect(201);
    const v = await h
      .http()
      .post(`/v1/authentications/${a.body.id}/verify`)
      .set(bearer(d.t.apiKey))
      .send({ code: totp(d.seed, Date.now(), { algorithm: 'SHA1', digits: 6 }) });
    expect(v.body.status).toBe('approved');

    // A second run has nothing to do.
    const again = await serviceWith(rotated()).resealAll(500);
    expect(again.map((r) => r.resealed)).toEqual([0, 0, 0, 0]);
  });

  it('a row that does not open is reported by id (no key material) and left as it was; the run goes on', async () => {
    const t = tenants[0];
    const broken = await token(t);
    const fine = await token(t);
    await adminQuery(
      h.db,
      `UPDATE oath_tokens SET secret_ciphertext = overlay(secret_ciphertext placing '\\x00'::bytea from 14 for 1)
        WHERE tenant_id = $1 AND id = $2`,
      [t.id, broken.id],
    );
    const [report] = (await serviceWith(rotated()).resealAll(500)).filter((r) => r.kind === 'oath_token');
    expect(report.resealed).toBe(1);
    expect(report.failed).toEqual([{ id: broken.id, reason: expect.stringContaining('does not open') }]);
    expect(report.keys).toEqual(expect.arrayContaining([{ keyId: 'old', rows: 1 }]));
    const { lines, stale } = formatReport('new', [report]);
    expect(stale).toBe(1);
    expect(lines.join('\n')).toContain(`FAILED oath_token row=${broken.id}`);
    expect(lines.join('\n')).not.toContain(broken.secret.toString('base64'));
    const [row] = await adminQuery<{ key_id: string }>(
      h.db,
      'SELECT key_id FROM oath_tokens WHERE tenant_id = $1 AND id = $2',
      [t.id, fine.id],
    );
    expect(row.key_id).toBe('new');
  });

  it('the command line: --batch bounds, --check, unknown options refused', () => {
    expect(parseResealArgs([])).toEqual({ batch: 500, check: false });
    expect(parseResealArgs(['--batch', '50', '--check'])).toEqual({ batch: 50, check: true });
    expect(() => parseResealArgs(['--batch', '0'])).toThrow(/--batch/);
    expect(() => parseResealArgs(['--batch', 'x'])).toThrow(/--batch/);
    expect(() => parseResealArgs(['--dry-run'])).toThrow(/unknown option --dry-run/);
  });
});
