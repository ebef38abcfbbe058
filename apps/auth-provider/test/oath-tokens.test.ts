import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '@twofold/platform/crypto';
import { adminQuery } from '@twofold/platform/testing';
import { bearer, createTenant, createUser, expectError, Harness, startAuthProvider, TenantFixture } from './harness';
import { oathSecretAad } from '@twofold/secrets/contracts';

const PSKC = join(__dirname, '../../../../shared/testdata/pskc');
const figure = (n: number) => readFileSync(join(PSKC, 'rfc6030', `rfc6030-figure${n}.xml`), 'utf8');
const PSK = '12345678901234567890123456789012';
const RFC_SECRET_HEX = Buffer.from('12345678901234567890').toString('hex');

/** python3-pskc (Debian) reads a file independently of our importer: key id → hex secret. */
function pythonPskcSecrets(xml: string, opts: { psk?: string; password?: string } = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'pskc-'));
  const file = join(dir, 'f.xml');
  writeFileSync(file, xml);
  const script = `
import sys, json
try:
    import pskc
except ImportError:
    sys.exit("python3-pskc is missing: apt-get install -y python3-pskc")
p = pskc.PSKC(sys.argv[1])
if sys.argv[2]: p.encryption.key = bytes.fromhex(sys.argv[2])
if sys.argv[3]: p.encryption.derive_key(sys.argv[3])
out = {}
for k in p.keys:
    try: out[k.id or ''] = k.secret.hex() if k.secret else None
    except Exception as e: out[k.id or ''] = 'error: ' + type(e).__name__
print(json.dumps(out))
`;
  try {
    return JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script, file, opts.psk ?? '', opts.password ?? ''], { encoding: 'utf8' }),
    ) as Record<string, string>;
  } catch (e) {
    throw new Error(`python3-pskc cross-check failed (is python3-pskc installed?): ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** oathtool (Debian) computes the HOTP code independently of our OTP code. */
function oathtoolHotp(hex: string, counter: number, digits: number): string {
  try {
    return execFileSync('oathtool', ['--hotp', `--digits=${digits}`, `--counter=${counter}`, hex], {
      encoding: 'utf8',
    }).trim();
  } catch (e) {
    throw new Error(`oathtool is missing or failed (apt-get install -y oathtool): ${(e as Error).message}`);
  }
}

/** A PSKC file encrypted with a pre-shared key (AES-128-CBC) and a MAC of our choice, as vendors ship them. */
function encryptedPskc(key: Buffer, secret: Buffer, mac: 'sha1' | 'sha256', serial: string): string {
  const enc = (plain: Buffer) => {
    const iv = randomBytes(16);
    const c = createCipheriv('aes-128-cbc', key, iv);
    return Buffer.concat([iv, c.update(plain), c.final()]);
  };
  const macKey = randomBytes(20);
  const cipher = enc(secret);
  const macUri =
    mac === 'sha1'
      ? 'http://www.w3.org/2000/09/xmldsig#hmac-sha1'
      : 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256';
  const valueMac = createHmac(mac, macKey).update(cipher).digest('base64');
  return `<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
  <EncryptionKey><ds:KeyName>Pre-shared-key</ds:KeyName></EncryptionKey>
  <MACMethod Algorithm="${macUri}">
    <MACKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
      <xenc:CipherData><xenc:CipherValue>${enc(macKey).toString('base64')}</xenc:CipherValue></xenc:CipherData></MACKey>
  </MACMethod>
  <KeyPackage>
    <DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>${serial}</SerialNo></DeviceInfo>
    <Key Id="k-${serial}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <AlgorithmParameters><Suite>HMAC-SHA256</Suite><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><EncryptedValue><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
          <xenc:CipherData><xenc:CipherValue>${cipher.toString('base64')}</xenc:CipherValue></xenc:CipherData></EncryptedValue>
          <ValueMAC>${valueMac}</ValueMAC></Secret>
        <TimeInterval><PlainValue>30</PlainValue></TimeInterval>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>`;
}

describe('R25 OATH hardware tokens: import (CSV, PSKC), assignment, authentication', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startAuthProvider();
  });
  afterAll(() => h.close());

  const importFile = (t: TenantFixture, body: object) =>
    h.http().post('/v1/oath-tokens/import').set(bearer(t.apiKey)).send(body);
  const tokenCount = async (t: TenantFixture) =>
    (
      await adminQuery<{ n: number }>(h.db, 'SELECT count(*)::int AS n FROM oath_tokens WHERE tenant_id = $1', [t.id])
    )[0]?.n;
  /** The secret as stored: opened with the platform keys and the AAD the authentication engine uses. */
  const storedSecretHex = async (t: TenantFixture, id: string) => {
    const [row] = await adminQuery<{ key_id: string; secret_ciphertext: Buffer }>(
      h.db,
      'SELECT key_id, secret_ciphertext FROM oath_tokens WHERE tenant_id = $1 AND id = $2',
      [t.id, id],
    );
    if (!row) throw new Error(`token ${id} not stored`);
    return h.app.get(SecretBox).open(row.key_id, row.secret_ciphertext, oathSecretAad(t.id, id)).toString('hex');
  };

  describe('R25 RFC 6030 figures (expected outcomes of shared/testdata/pskc/README.md)', () => {
    const cases: {
      n: number;
      body?: object;
      python?: { psk?: string; password?: string };
      expected: { keyId: string; serial: string | null; status: string; reason?: string }[];
    }[] = [
      { n: 2, expected: [{ keyId: '12345678', serial: null, status: 'rejected', reason: 'weak_secret' }] },
      { n: 3, expected: [{ keyId: '12345678', serial: '987654321', status: 'imported' }] },
      { n: 4, expected: [{ keyId: '12345678', serial: '987654321', status: 'rejected', reason: 'no_secret' }] },
      {
        n: 5,
        expected: [
          { keyId: '12345678', serial: '987654321', status: 'imported' },
          { keyId: '123456781', serial: '987654321', status: 'rejected', reason: 'not_otp_key' },
        ],
      },
      {
        n: 6,
        body: { preSharedKey: PSK },
        python: { psk: PSK },
        expected: [{ keyId: '12345678', serial: '987654321', status: 'imported' }],
      },
      {
        n: 7,
        body: { password: 'qwerty' },
        python: { password: 'qwerty' },
        expected: [{ keyId: '123456', serial: '987654321', status: 'imported' }],
      },
      {
        n: 8,
        expected: [{ keyId: 'MBK000000001', serial: '987654321', status: 'rejected', reason: 'cannot_decrypt' }],
      },
      { n: 9, expected: [{ keyId: '123', serial: '0755225266', status: 'imported' }] },
      {
        n: 10,
        expected: ['1', '2', '3', '4'].map((keyId, i) => ({
          keyId,
          serial: ['654321', '123456', '9999999', '9999999'][i] as string,
          status: 'rejected',
          reason: 'expired',
        })),
      },
    ];

    it.each(cases)('R25 figure $n', async ({ n, body, python, expected }) => {
      const t = await createTenant(h, `Figure ${n}`);
      const xml = figure(n);
      const res = await importFile(t, { format: 'pskc', content: xml, ...body });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual(expected.map((e) => expect.objectContaining(e)));
      const imported = expected.filter((e) => e.status === 'imported').length;
      expect(res.body).toMatchObject({ imported, rejected: expected.length - imported });
      expect(await tokenCount(t)).toBe(imported);
      // Independent oracle: every imported secret is what python3-pskc reads from the same file.
      const oracle = imported ? pythonPskcSecrets(xml, python) : {};
      for (const r of res.body.results as { keyId: string; status: string; id: string }[]) {
        if (r.status !== 'imported') continue;
        expect(await storedSecretHex(t, r.id)).toBe(oracle[r.keyId]);
        expect(oracle[r.keyId]).toBe(RFC_SECRET_HEX);
      }
    });

    it('R25 figure 6 with a wrong pre-shared key → 400, nothing stored', async () => {
      const t = await createTenant(h, 'Wrong PSK');
      const res = await importFile(t, { content: figure(6), preSharedKey: '00'.repeat(16) });
      expect(res.status).toBe(400);
      expect(['pskc_mac_invalid', 'pskc_decryption_failed']).toContain(res.body.code);
      expect(await tokenCount(t)).toBe(0);
    });

    it('R25 figure 6 without its key → 400 pskc_key_required; figure 7 without the password likewise', async () => {
      const t = await createTenant(h, 'No key');
      expectError(await importFile(t, { content: figure(6) }), 400, 'pskc_key_required');
      expectError(await importFile(t, { content: figure(7) }), 400, 'pskc_key_required');
    });

    it('R25 duplicates are keyed on serial + key id: figure 10 unexpired imports both keys of serial 9999999', async () => {
      const t = await createTenant(h, 'Bulk');
      const xml = figure(10).replace(/2006-/g, '2096-');
      const res = await importFile(t, { content: xml });
      expect(res.body).toMatchObject({ imported: 4, rejected: 0 });
      const again = await importFile(t, { content: xml });
      expect(again.body).toMatchObject({ imported: 0, rejected: 4 });
      expect(new Set(again.body.results.map((r: { reason: string }) => r.reason))).toEqual(
        new Set(['already_imported']),
      );
      const list = await h.http().get('/v1/oath-tokens').set(bearer(t.apiKey));
      expect(
        list.body.items
          .filter((i: { serial: string }) => i.serial === '9999999')
          .map((i: { keyId: string }) => i.keyId)
          .sort(),
      ).toEqual(['3', '4']);
      expect(list.body.items[0].expiresAt).toMatch(/^2096-/);
    });

    it('R25 PSK file with an HMAC-SHA256 MAC and a SHA256 TOTP key: imported, secret matches python3-pskc', async () => {
      const t = await createTenant(h, 'SHA256 MAC');
      const key = randomBytes(16);
      const secret = randomBytes(32);
      const xml = encryptedPskc(key, secret, 'sha256', 'S256');
      const res = await importFile(t, { content: xml, preSharedKey: key.toString('hex') });
      expect(res.body).toMatchObject({ imported: 1, results: [{ keyId: 'k-S256', status: 'imported' }] });
      const id = res.body.results[0].id as string;
      expect(await storedSecretHex(t, id)).toBe(pythonPskcSecrets(xml, { psk: key.toString('hex') })['k-S256']);
      expect(await storedSecretHex(t, id)).toBe(secret.toString('hex'));
      const got = await h.http().get(`/v1/oath-tokens/${id}`).set(bearer(t.apiKey));
      expect(got.body).toMatchObject({ type: 'totp', algorithm: 'SHA256', digits: 6, period: 30, keyId: 'k-S256' });
      expect(JSON.stringify(got.body)).not.toContain(secret.toString('hex'));
    });

    it('R25 a MAC failure rejects the whole file, even with other good keys', async () => {
      const t = await createTenant(h, 'MAC');
      const key = randomBytes(16);
      const good = encryptedPskc(key, randomBytes(20), 'sha1', 'G1');
      const tampered = good.replace(/<ValueMAC>./, (m) => `${m.slice(0, -1)}${m.endsWith('A') ? 'B' : 'A'}`);
      expectError(
        await importFile(t, { content: tampered, preSharedKey: key.toString('hex') }),
        400,
        'pskc_mac_invalid',
      );
      expect(await tokenCount(t)).toBe(0);
    });
  });

  describe('R25 invalid PSKC files (shared/testdata/pskc/invalid): 400, nothing stored', () => {
    const files = readdirSync(join(PSKC, 'invalid')).filter((f) => f.endsWith('.xml'));

    it('has the 15 files', () => expect(files).toHaveLength(15));

    it.each(files)('R25 %s → 400', async (file) => {
      const t = await createTenant(h, `Invalid ${file}`);
      const started = Date.now();
      const res = await importFile(t, {
        format: 'pskc',
        content: readFileSync(join(PSKC, 'invalid', file), 'utf8'),
        preSharedKey: PSK,
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(res.status).toBe(400);
      expect(res.body.code).toMatch(/^(pskc_|oath_import_)/);
      expect(typeof res.body.correlationId).toBe('string');
      expect(await tokenCount(t)).toBe(0);
    });

    it('R25 billion laughs and XXE are refused as unsafe XML, the entity never read', async () => {
      const t = await createTenant(h, 'Unsafe');
      for (const f of ['billion-laughs.xml', 'xxe-external-entity.xml']) {
        const res = await importFile(t, { content: readFileSync(join(PSKC, 'invalid', f), 'utf8') });
        expectError(res, 400, 'pskc_unsafe_xml');
      }
      const deep = `<?xml version="1.0"?><KeyContainer Version="1.0">${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</KeyContainer>`;
      expectError(await importFile(t, { content: deep }), 400, 'pskc_unsafe_xml');
    });
  });

  describe('R25 CSV', () => {
    const secret = (bytes = 20) => randomBytes(bytes);
    const b32 = (buf: Buffer) => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
      let bits = '';
      for (const b of buf) bits += b.toString(2).padStart(8, '0');
      let out = '';
      for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
      return out;
    };

    it('R25 directory format with BOM, CRLF and header: each row with its line and outcome; upn assigns', async () => {
      const t = await createTenant(h, 'CSV directory');
      const u = await createUser(h, t, { userName: 'alice@contoso.example' });
      const s1 = secret();
      const csv = [
        '\uFEFFupn,serial number,secret key,time interval,manufacturer,model',
        `Alice@Contoso.example,SN-1,${b32(s1).toLowerCase()},30,Acme,T1`,
        `,SN-2,${b32(secret())}====,60,Acme,T1`.replace('====', ''),
        `nobody@contoso.example,SN-3,${b32(secret())},30,Acme,T1`,
        `,SN-4,not*base32,30,Acme,T1`,
        `,SN-5,${b32(secret(10))},30,Acme,T1`,
        `,SN-6,${b32(secret())},45,Acme,T1`,
        `,SN-1,${b32(secret())},30,Acme,T1`,
        '',
        `,SN-7,${b32(secret())},30`,
        `,SN-8,,30,Acme,T1`,
      ].join('\r\n');
      const res = await importFile(t, { content: csv });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([
        expect.objectContaining({ line: 2, serial: 'SN-1', status: 'imported', assignedUserId: u.id }),
        expect.objectContaining({ line: 3, serial: 'SN-2', status: 'imported' }),
        expect.objectContaining({ line: 4, serial: 'SN-3', status: 'rejected', reason: 'user_not_found' }),
        expect.objectContaining({ line: 5, serial: 'SN-4', status: 'rejected', reason: 'invalid_secret' }),
        expect.objectContaining({ line: 6, serial: 'SN-5', status: 'rejected', reason: 'weak_secret' }),
        expect.objectContaining({ line: 7, serial: 'SN-6', status: 'rejected', reason: 'invalid_interval' }),
        expect.objectContaining({ line: 8, serial: 'SN-1', status: 'rejected', reason: 'duplicate_in_file' }),
        expect.objectContaining({ line: 10, serial: null, status: 'rejected', reason: 'invalid_row' }),
        expect.objectContaining({ line: 11, serial: 'SN-8', status: 'rejected', reason: 'no_secret' }),
      ]);
      expect(res.body).toMatchObject({ imported: 2, rejected: 7, dryRun: false });
      expect(await storedSecretHex(t, res.body.results[0].id)).toBe(s1.toString('hex'));
      const methods = await adminQuery(h.db, 'SELECT method FROM user_methods WHERE tenant_id = $1 AND user_id = $2', [
        t.id,
        u.id,
      ]);
      expect(methods).toEqual([{ method: 'oath_token' }]);
      const audit = await adminQuery<{ action: string; details: unknown }>(
        h.db,
        "SELECT action, details FROM audit_log WHERE tenant_id = $1 AND action LIKE 'oath_token.%'",
        [t.id],
      );
      expect(audit.map((a) => a.action)).toEqual(['oath_token.import', 'oath_token.import']);
      expect(JSON.stringify(audit)).not.toContain(s1.toString('hex'));
      expect(JSON.stringify(audit)).not.toContain(b32(s1));
    });

    it('R25 plain format without header (serial, base32 secret, interval), LF endings', async () => {
      const t = await createTenant(h, 'CSV plain');
      const res = await importFile(t, {
        format: 'csv',
        content: `P-1,${b32(secret())},30\nP-2,${b32(secret(32))},60\n`,
      });
      expect(res.body).toMatchObject({
        imported: 2,
        results: [
          { line: 1, serial: 'P-1', status: 'imported' },
          { line: 2, serial: 'P-2', status: 'imported' },
        ],
      });
    });

    it('R25 dry run reports the same and writes nothing', async () => {
      const t = await createTenant(h, 'Dry run');
      const csv = `D-1,${b32(secret())},30\nD-2,AAAA,30\n`;
      const dry = await importFile(t, { content: csv, dryRun: true });
      expect(dry.body).toMatchObject({ imported: 1, rejected: 1, dryRun: true });
      expect(dry.body.results[0].id).toBeUndefined();
      expect(await tokenCount(t)).toBe(0);
      const audit = await adminQuery(
        h.db,
        "SELECT 1 FROM audit_log WHERE tenant_id = $1 AND action LIKE 'oath_token.%'",
        [t.id],
      );
      expect(audit).toHaveLength(0);
      const real = await importFile(t, { content: csv });
      expect(real.body.results.map((r: { status: string }) => r.status)).toEqual(
        dry.body.results.map((r: { status: string }) => r.status),
      );
      expect(await tokenCount(t)).toBe(1);
    });

    it('R25 a tenant that allows legacy tokens accepts 80-bit secrets, never shorter', async () => {
      const t = await createTenant(h, 'Legacy');
      await h
        .http()
        .patch(`/v1/tenants/${t.id}`)
        .set(bearer(t.apiKey))
        .send({ weakOathSecretsAllowed: true })
        .expect(200);
      const res = await importFile(t, { content: `L-1,${b32(secret(10))},30\nL-2,${b32(secret(5))},30` });
      expect(res.body.results).toEqual([
        expect.objectContaining({ serial: 'L-1', status: 'imported' }),
        expect.objectContaining({ serial: 'L-2', status: 'rejected', reason: 'weak_secret' }),
      ]);
    });

    it('R25 multipart/form-data upload with `file` and fields; other routes still refuse multipart', async () => {
      const t = await createTenant(h, 'Multipart');
      const res = await h
        .http()
        .post('/v1/oath-tokens/import')
        .set(bearer(t.apiKey))
        .field('preSharedKey', PSK)
        .field('dryRun', 'false')
        .attach('file', Buffer.from(figure(6)), { filename: 'tokens.pskcxml', contentType: 'application/xml' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ imported: 1, results: [{ keyId: '12345678', status: 'imported' }] });
      const other = await h.http().post('/v1/users').set(bearer(t.apiKey)).field('userName', 'x@y.example');
      expect(other.status).toBe(415);
      const noFile = await h.http().post('/v1/oath-tokens/import').set(bearer(t.apiKey)).field('format', 'csv');
      expectError(noFile, 400, 'validation_failed');
    });

    it('R25 an upload above 5 MB is refused with 413', async () => {
      const t = await createTenant(h, 'Big');
      const res = await importFile(t, { content: 'x'.repeat(6 * 1024 * 1024) });
      expect(res.status).toBe(413);
    });
  });

  describe('R25 assignment and authentication', () => {
    it('R25 figure 6 HOTP key: assigned by user name, verifies through POST /v1/authentications with oathtool’s code', async () => {
      const t = await createTenant(h, 'Auth');
      await h
        .http()
        .post('/v1/providers')
        .set(bearer(t.apiKey))
        .send({ name: 'P', billingModel: 'per_user' })
        .expect(201);
      const u = await createUser(h, t, { mfaEnabled: true });
      const imp = await importFile(t, { content: figure(6), preSharedKey: PSK });
      const id = imp.body.results[0].id as string;
      const assigned = await h
        .http()
        .post(`/v1/oath-tokens/${id}/assign`)
        .set(bearer(t.apiKey))
        .send({ userName: u.userName.toUpperCase() });
      expect(assigned.status).toBe(200);
      expect(assigned.body).toMatchObject({ id, assignedUserId: u.id, digits: 8, type: 'hotp' });

      const code = oathtoolHotp(RFC_SECRET_HEX, 0, 8);
      expect(code).toBe('84755224');
      const a = await h
        .http()
        .post('/v1/authentications')
        .set(bearer(t.apiKey))
        .send({ userId: u.id, method: 'oath_token' });
      expect(a.status).toBe(201);
      const v = await h.http().post(`/v1/authentications/${a.body.id}/verify`).set(bearer(t.apiKey)).send({ code });
      expect(v.body.status).toBe('approved');

      const stock = await h.http().get('/v1/oath-tokens').query({ assigned: false }).set(bearer(t.apiKey));
      expect(stock.body.items).toHaveLength(0);
      const held = await h.http().get('/v1/oath-tokens').query({ assigned: true }).set(bearer(t.apiKey));
      expect(held.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    });

    it('R25 assign by id, conflicts, unassign removes the method with the last token, delete; all audited', async () => {
      const t = await createTenant(h, 'Assign');
      const u = await createUser(h, t);
      const other = await createUser(h, t);
      const xml = figure(10).replace(/2006-/g, '2096-');
      const ids = (await importFile(t, { content: xml })).body.results.map((r: { id: string }) => r.id) as string[];
      const [t1, t2] = ids as [string, string];
      const api = h.http();
      await api.post(`/v1/oath-tokens/${t1}/assign`).set(bearer(t.apiKey)).send({ userId: u.id }).expect(200);
      await h.http().post(`/v1/oath-tokens/${t2}/assign`).set(bearer(t.apiKey)).send({ userId: u.id }).expect(200);
      expectError(
        await h.http().post(`/v1/oath-tokens/${t1}/assign`).set(bearer(t.apiKey)).send({ userId: other.id }),
        409,
        'oath_token_already_assigned',
      );
      expectError(
        await h.http().post(`/v1/oath-tokens/${t1}/assign`).set(bearer(t.apiKey)).send({ userName: 'ghost@x.example' }),
        404,
        'user_not_found',
      );
      expectError(
        await h.http().post(`/v1/oath-tokens/${t1}/assign`).set(bearer(t.apiKey)).send({}),
        400,
        'validation_failed',
      );
      const methods = () =>
        adminQuery(h.db, "SELECT 1 FROM user_methods WHERE tenant_id = $1 AND user_id = $2 AND method = 'oath_token'", [
          t.id,
          u.id,
        ]);
      expect(await methods()).toHaveLength(1);
      const un = await h.http().post(`/v1/oath-tokens/${t1}/unassign`).set(bearer(t.apiKey));
      expect(un.body).toMatchObject({ id: t1, assignedUserId: null, assignedAt: null });
      expect(await methods()).toHaveLength(1); // t2 still held
      await h
        .http()
        .put(`/v1/users/${u.id}/default-method`)
        .set(bearer(t.apiKey))
        .send({ method: 'oath_token' })
        .expect(200);
      expectError(
        await h.http().post(`/v1/oath-tokens/${t1}/unassign`).set(bearer(t.apiKey)),
        409,
        'oath_token_not_assigned',
      );
      await h.http().delete(`/v1/oath-tokens/${t2}`).set(bearer(t.apiKey)).expect(204);
      expect(await methods()).toHaveLength(0);
      // R19/R20: the default that named the last token is gone too.
      const [state] = await adminQuery<{ default_method: string | null }>(
        h.db,
        'SELECT default_method FROM users WHERE id = $1',
        [u.id],
      );
      expect(state?.default_method).toBeNull();
      expectError(await h.http().get(`/v1/oath-tokens/${t2}`).set(bearer(t.apiKey)), 404, 'oath_token_not_found');
      expectError(await h.http().get('/v1/oath-tokens/not-a-uuid').set(bearer(t.apiKey)), 404, 'oath_token_not_found');
      const audit = await adminQuery<{ action: string; details: { before?: object; after?: object } }>(
        h.db,
        "SELECT action, details FROM audit_log WHERE tenant_id = $1 AND action IN ('oath_token.assign','oath_token.unassign','oath_token.delete') ORDER BY action",
        [t.id],
      );
      expect(audit.map((a) => a.action).sort()).toEqual(
        ['oath_token.assign', 'oath_token.assign', 'oath_token.delete', 'oath_token.unassign'].sort(),
      );
      const unassign = audit.find((a) => a.action === 'oath_token.unassign');
      expect(unassign?.details.before).toMatchObject({ assignedUserId: u.id });
      expect(unassign?.details.after).toMatchObject({ assignedUserId: null });
    });

    it('R25 list pages with a cursor', async () => {
      const t = await createTenant(h, 'Pages');
      await importFile(t, { content: figure(10).replace(/2006-/g, '2096-') });
      const first = await h.http().get('/v1/oath-tokens').query({ limit: 3 }).set(bearer(t.apiKey));
      expect(first.body.items).toHaveLength(3);
      const second = await h
        .http()
        .get('/v1/oath-tokens')
        .query({ limit: 3, cursor: first.body.nextCursor })
        .set(bearer(t.apiKey));
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
    });
  });
});
