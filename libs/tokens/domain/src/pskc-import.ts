import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MAX_IMPORT_ROWS } from './csv-import';
import type { ImportedKey, OathHash, OathTokenKind } from './oath-key';
import { TokenErrors } from './tokens.errors';

/** A PSKC file larger than this is refused before it is parsed. */
export const MAX_PSKC_BYTES = 2 * 1024 * 1024;
/** PSKC needs about 8 levels; anything deeper is not a key container. */
export const MAX_XML_DEPTH = 32;
/**
 * PBKDF2 work is bounded: a file must not make the server spin (docs/decisions/0020). Vendors ship
 * 1,000–10,000 iterations; at this bound one derivation costs about 0.25 s of one thread.
 */
export const MAX_PBKDF2_ITERATIONS = 200_000;
/** The derived key is an AES key: 16, 24 or 32 bytes. More is work that decrypts nothing. */
export const MAX_PBKDF2_KEY_LENGTH = 32;

/** What a PBKDF2 file asks for; the caller derives it off the event loop, with bounded concurrency. */
export interface Pbkdf2Request {
  password: string;
  salt: Buffer;
  iterations: number;
  keyLength: number;
  digest: string;
}
export type DeriveKey = (request: Pbkdf2Request) => Promise<Buffer>;

export interface PskcDecryption {
  /** Hex AES key of a pre-shared-key file. */
  preSharedKey?: string;
  /** Password of a PBKDF2 file. */
  password?: string;
}

type Node = { [name: string]: unknown };

const CBC: Record<string, { cipher: string; keyBytes: number }> = {
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc': { cipher: 'aes-128-cbc', keyBytes: 16 },
  'http://www.w3.org/2001/04/xmlenc#aes192-cbc': { cipher: 'aes-192-cbc', keyBytes: 24 },
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc': { cipher: 'aes-256-cbc', keyBytes: 32 },
};
/** Asymmetric encryption: the private key is never ours, so those keys cannot be decrypted. */
const ASYMMETRIC = new Set([
  'http://www.w3.org/2001/04/xmlenc#rsa_1_5',
  'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  'http://www.w3.org/2009/xmlenc11#rsa-oaep',
]);
const HMAC: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1': 'sha1',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha224': 'sha224',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha384': 'sha384',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha512': 'sha512',
};
const PBKDF2 = 'http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2';

const asNode = (v: unknown): Node | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Node) : undefined;
const child = (n: Node | undefined, name: string): Node | undefined => asNode(n?.[name]);
const list = (v: unknown): Node[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => asNode(x) ?? {});
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim();
  const n = asNode(v);
  return typeof n?.['#text'] === 'string' ? n['#text'].trim() : undefined;
}
const attr = (n: Node | undefined, name: string): string | undefined => {
  const v = n?.[`@_${name}`];
  return typeof v === 'string' ? v.trim() : undefined;
};

function integer(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d{1,15}$/.test(value)) throw TokenErrors.pskcInvalid(`${what} is not an integer.`);
  return Number(value);
}
function boolean(value: string | undefined, what: string): void {
  if (value !== undefined && !['true', 'false', '1', '0'].includes(value.toLowerCase()))
    throw TokenErrors.pskcInvalid(`${what} is not a boolean.`);
}
function base64(value: string | undefined, what: string): Buffer {
  const compact = (value ?? '').replace(/\s+/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact))
    throw TokenErrors.pskcInvalid(`${what} is not base64.`);
  return Buffer.from(compact, 'base64');
}
function date(value: string | undefined, what: string): Date | null {
  if (!value) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw TokenErrors.pskcInvalid(`${what} is not a date.`);
  return d;
}

/**
 * Refuses what a safe parser must never process: DTDs (entity declarations, external entities),
 * oversized input and deep nesting. Runs before the XML parser sees the text.
 */
export function assertSafeXml(xml: string): void {
  if (Buffer.byteLength(xml, 'utf8') > MAX_PSKC_BYTES)
    throw TokenErrors.unsafeXml(`The PSKC file is larger than ${MAX_PSKC_BYTES} bytes.`);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw TokenErrors.unsafeXml('DOCTYPE and ENTITY declarations are refused (no DTDs, no entity expansion).');
  const bare = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  let depth = 0;
  for (const m of bare.matchAll(/<(\/?)[A-Za-z_][^<>]*?(\/?)>/g)) {
    if (m[1]) depth -= 1;
    else if (!m[2]) depth += 1;
    if (depth > MAX_XML_DEPTH) throw TokenErrors.unsafeXml(`The XML nests deeper than ${MAX_XML_DEPTH} levels.`);
  }
}

function parseXml(xml: string): Node {
  assertSafeXml(xml);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw TokenErrors.pskcInvalid(`The file is not well-formed XML (line ${valid.err.line}).`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    maxNestedTags: MAX_XML_DEPTH,
    isArray: (name) => name === 'KeyPackage' || name === 'Key',
  });
  try {
    return parser.parse(xml) as Node;
  } catch {
    throw TokenErrors.pskcInvalid('The file is not well-formed XML.');
  }
}

interface RawKey {
  pkg: Node;
  key: Node;
  encrypted?: { algorithm: string | undefined; cipher: Buffer; mac: string | undefined };
}

/** Checks the value types python-pskc checks, so a malformed file fails as a whole (400). */
function checkTypes({ key }: RawKey): void {
  const format = child(child(key, 'AlgorithmParameters'), 'ResponseFormat');
  integer(attr(format, 'Length'), 'ResponseFormat Length');
  boolean(attr(format, 'CheckDigits'), 'ResponseFormat CheckDigits');
  const policy = child(key, 'Policy');
  integer(text(policy?.['NumberOfTransactions']), 'NumberOfTransactions');
  const pin = child(policy, 'PINPolicy');
  for (const a of ['MinLength', 'MaxLength', 'MaxFailedAttempts']) integer(attr(pin, a), `PINPolicy ${a}`);
  const data = child(key, 'Data');
  for (const e of ['Counter', 'Time', 'TimeInterval', 'TimeDrift'])
    integer(text(child(data, e)?.['PlainValue']), `${e} value`);
}

function kindOf(algorithm: string | undefined): OathTokenKind | 'pin' | undefined {
  const name = algorithm?.match(/[:#]([A-Za-z0-9-]+)$/)?.[1]?.toLowerCase();
  return name === 'hotp' || name === 'totp' || name === 'pin' ? name : undefined;
}

function hashOf(key: Node): OathHash {
  const suite = (text(child(key, 'AlgorithmParameters')?.['Suite']) ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (suite.includes('SHA512')) return 'SHA512';
  if (suite.includes('SHA256')) return 'SHA256';
  return 'SHA1';
}

/** The AES key of a symmetric file, from the pre-shared key or the PBKDF2 password. */
async function encryptionKey(container: Node, secrets: PskcDecryption, derive: DeriveKey): Promise<Buffer> {
  const derived = child(child(container, 'EncryptionKey'), 'DerivedKey');
  if (derived) {
    const method = child(derived, 'KeyDerivationMethod');
    if (attr(method, 'Algorithm') !== PBKDF2)
      throw TokenErrors.keyDerivationInvalid('Only PBKDF2 key derivation is supported.');
    const params = child(method, 'PBKDF2-params');
    const saltText = text(child(params, 'Salt')?.['Specified']);
    const iterations = integer(text(params?.['IterationCount']), 'PBKDF2 IterationCount');
    const keyLength = integer(text(params?.['KeyLength']), 'PBKDF2 KeyLength') ?? 16;
    if (!saltText || !iterations || iterations < 1)
      throw TokenErrors.keyDerivationInvalid('Incomplete PBKDF2 parameters (salt and iteration count are needed).');
    if (iterations > MAX_PBKDF2_ITERATIONS || keyLength < 1 || keyLength > MAX_PBKDF2_KEY_LENGTH)
      throw TokenErrors.keyDerivationInvalid(
        `The PBKDF2 parameters exceed what the importer accepts: at most ${MAX_PBKDF2_ITERATIONS.toLocaleString('en')} iterations and a key of at most ${MAX_PBKDF2_KEY_LENGTH} bytes.`,
      );
    const prfAlgorithm = attr(child(params, 'PRF'), 'Algorithm');
    const prf = prfAlgorithm ? HMAC[prfAlgorithm] : 'sha1';
    if (!prf) throw TokenErrors.keyDerivationInvalid('Unsupported PBKDF2 PRF.');
    if (secrets.password === undefined) throw TokenErrors.keyRequired('password');
    const salt = base64(saltText, 'PBKDF2 salt');
    return derive({ password: secrets.password, salt, iterations, keyLength, digest: prf });
  }
  if (secrets.preSharedKey === undefined) throw TokenErrors.keyRequired('preSharedKey');
  return Buffer.from(secrets.preSharedKey, 'hex');
}

function decrypt(algorithm: string, key: Buffer, data: Buffer): Buffer {
  const spec = CBC[algorithm];
  if (!spec) throw TokenErrors.unsupportedEncryption(`Unsupported encryption algorithm: ${algorithm}.`);
  if (key.length !== spec.keyBytes || data.length < 32 || data.length % 16 !== 0) throw TokenErrors.decryptionFailed();
  try {
    const decipher = createDecipheriv(spec.cipher, key, data.subarray(0, 16));
    return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
  } catch {
    throw TokenErrors.decryptionFailed();
  }
}

function encryptedValue(key: Node): RawKey['encrypted'] {
  const secret = child(child(key, 'Data'), 'Secret');
  const value = child(secret, 'EncryptedValue');
  if (!value) return undefined;
  return {
    algorithm: attr(child(value, 'EncryptionMethod'), 'Algorithm'),
    cipher: base64(text(child(value, 'CipherData')?.['CipherValue']), 'CipherValue'),
    mac: text(secret?.['ValueMAC']),
  };
}

/**
 * Verifies every ValueMAC (RFC 6030 §6.1.1: HMAC over IV||ciphertext with the MAC key) and only then
 * decrypts. Any failure refuses the whole file: a file whose integrity fails imports nothing.
 */
async function decryptAll(
  container: Node,
  raws: RawKey[],
  secrets: PskcDecryption,
  derive: DeriveKey,
): Promise<Map<RawKey, Buffer>> {
  const symmetric = raws.filter((r) => r.encrypted && !ASYMMETRIC.has(r.encrypted.algorithm ?? ''));
  const out = new Map<RawKey, Buffer>();
  if (symmetric.length === 0) return out;
  for (const r of symmetric) {
    if (!CBC[r.encrypted?.algorithm ?? ''])
      throw TokenErrors.unsupportedEncryption(
        `Unsupported or missing encryption algorithm for key ${attr(r.key, 'Id') ?? '(no Id)'}.`,
      );
  }
  const macMethod = child(container, 'MACMethod');
  const macAlgorithm = attr(macMethod, 'Algorithm');
  if (!macMethod || !macAlgorithm)
    throw TokenErrors.macInvalid('Encrypted secrets need a MACMethod: the file cannot be checked.');
  const hash = HMAC[macAlgorithm];
  if (!hash) throw TokenErrors.macInvalid(`Unsupported MAC algorithm: ${macAlgorithm}.`);

  const key = await encryptionKey(container, secrets, derive);
  const macKeyNode = child(macMethod, 'MACKey');
  let macKey = key; // No MACKey: the encryption key is the MAC key (as python-pskc reads it).
  if (macKeyNode) {
    const algorithm = attr(child(macKeyNode, 'EncryptionMethod'), 'Algorithm');
    const cipherText = text(child(macKeyNode, 'CipherData')?.['CipherValue']);
    if (!algorithm || !cipherText) throw TokenErrors.macInvalid('The MACKey has no encryption method or value.');
    macKey = decrypt(algorithm, key, base64(cipherText, 'MACKey CipherValue'));
  }
  for (const r of symmetric) {
    const enc = r.encrypted as NonNullable<RawKey['encrypted']>;
    if (!enc.mac) throw TokenErrors.macInvalid(`Key ${attr(r.key, 'Id') ?? '(no Id)'} has no ValueMAC.`);
    const expected = createHmac(hash, macKey).update(enc.cipher).digest();
    const given = base64(enc.mac, 'ValueMAC');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw TokenErrors.macInvalid('A MAC value does not match: the file was altered or the key is wrong.');
  }
  for (const r of symmetric) {
    const enc = r.encrypted as NonNullable<RawKey['encrypted']>;
    if (kindOf(attr(r.key, 'Algorithm')) === 'pin') continue; // never opened: a PIN is no OTP seed
    out.set(r, decrypt(enc.algorithm as string, key, enc.cipher));
  }
  return out;
}

/**
 * RFC 6030 PSKC: plain secrets, pre-shared-key (AES-CBC + HMAC) and PBKDF2 files. A file that cannot
 * be read safely or whose integrity fails throws (400); each key that cannot become a token carries
 * its reason. A PBKDF2 key is derived by `derive`, which the caller runs off the event loop.
 */
export async function parsePskc(xml: string, secrets: PskcDecryption, derive: DeriveKey): Promise<ImportedKey[]> {
  const doc = parseXml(xml);
  const container = child(doc, 'KeyContainer');
  if (!container) throw TokenErrors.pskcInvalid('The root element is not a PSKC KeyContainer.');
  const version = attr(container, 'Version');
  if (version !== '1.0') throw TokenErrors.pskcInvalid(`Unsupported PSKC version "${version ?? ''}" (1.0 expected).`);
  const raws: RawKey[] = list(container['KeyPackage']).flatMap((pkg) =>
    list(pkg['Key']).map((key) => ({ pkg, key, encrypted: encryptedValue(key) })),
  );
  if (raws.length === 0) throw TokenErrors.empty();
  if (raws.length > MAX_IMPORT_ROWS) throw TokenErrors.tooManyRows(MAX_IMPORT_ROWS);
  raws.forEach(checkTypes);
  const decrypted = await decryptAll(container, raws, secrets, derive);
  return raws.map((r) => toKey(r, decrypted.get(r)));
}

function toKey(r: RawKey, decrypted: Buffer | undefined): ImportedKey {
  const { pkg, key } = r;
  const device = child(pkg, 'DeviceInfo');
  const data = child(key, 'Data');
  const format = child(child(key, 'AlgorithmParameters'), 'ResponseFormat');
  const kind = kindOf(attr(key, 'Algorithm'));
  const length = integer(attr(format, 'Length'), 'ResponseFormat Length');
  const encoding = attr(format, 'Encoding');
  const base: ImportedKey = {
    keyId: attr(key, 'Id') ?? '',
    serial: text(device?.['SerialNo']) || null,
    type: kind === 'totp' ? 'totp' : 'hotp',
    algorithm: hashOf(key),
    digits: length === undefined || (encoding && encoding.toUpperCase() !== 'DECIMAL') ? null : length,
    period: integer(text(child(data, 'TimeInterval')?.['PlainValue']), 'TimeInterval') ?? 30,
    counter: BigInt(integer(text(child(data, 'Counter')?.['PlainValue']), 'Counter') ?? 0),
    expiresAt:
      date(text(child(key, 'Policy')?.['ExpiryDate']), 'ExpiryDate') ??
      date(text(device?.['ExpiryDate']), 'DeviceInfo ExpiryDate'),
    manufacturer: text(device?.['Manufacturer']) || null,
    model: text(device?.['Model']) || null,
    upn: null,
  };
  if (kind === 'pin') return { ...base, rejected: 'not_otp_key' };
  if (!kind) return { ...base, rejected: 'unsupported_algorithm' };
  const secret = child(data, 'Secret');
  if (r.encrypted) {
    return decrypted ? { ...base, secret: decrypted } : { ...base, rejected: 'cannot_decrypt' };
  }
  const plain = text(secret?.['PlainValue']);
  if (plain === undefined || plain === '') return base; // no secret: checkKey says so
  try {
    return { ...base, secret: base64(plain, 'PlainValue') };
  } catch {
    return { ...base, rejected: 'invalid_secret' };
  }
}
