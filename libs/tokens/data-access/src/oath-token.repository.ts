/** A hardware token as the authentication engine verifies it (OathTokenSqlRepository). */
export interface OathTokenSecret {
  id: string;
  serial: string;
  type: 'totp' | 'hotp';
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  period: number;
  counter: bigint;
  lastUsedStep: bigint | null;
  secretCiphertext: Buffer;
  keyId: string;
}
