import { SecretBox, SecretBoxError } from './secret-box';

/** One sealed value of a row and the AAD that binds it there. */
export interface SealedValue {
  ciphertext: Buffer;
  aad: string;
}

/** A row's sealed values (in the row's own order; null where the row has none), all under `keyId`. */
export interface SealedRow {
  id: string;
  keyId: string;
  values: readonly (SealedValue | null)[];
}

/** The same values sealed again, in the same order (null stays null), all under `keyId`. */
export interface ResealedRow {
  keyId: string;
  ciphertexts: (Buffer | null)[];
}

/** Returns the row sealed again, or null to leave it as it is (it did not open). Pure: no I/O. */
export type Resealer = (row: SealedRow) => ResealedRow | null;

export interface RowRef {
  tenantId: string;
  id: string;
}

/**
 * A table holding sealed secrets, as its owning domain's data-access exposes it to the reseal command
 * (issue 16 item 6): which rows still name another key than the active one, and re-sealing a page of
 * one tenant's rows in that tenant's transaction (rows locked, so a concurrent change waits).
 */
export interface ResealTarget {
  readonly kind: string;
  /** Rows sealed with another key than `activeKeyId`, after `after` in (tenant, id) order. */
  toReseal(activeKeyId: string, after: RowRef | null, limit: number): Promise<RowRef[]>;
  /** Re-seals those of `ids` still not under `activeKeyId`; returns how many rows changed. */
  reseal(tenantId: string, ids: readonly string[], activeKeyId: string, resealer: Resealer): Promise<number>;
  /** How many rows each key seals. */
  keyCounts(): Promise<{ keyId: string; rows: number }[]>;
}

/**
 * The resealer of a SecretBox: opens each value with the row's key and AAD, seals it with the active
 * key under the same AAD. A row that does not open (unknown key, altered ciphertext) is left as it is
 * and reported to `onFailure` with its id and the reason, never with key material or plaintext.
 */
export function resealerOf(box: SecretBox, onFailure: (rowId: string, reason: string) => void): Resealer {
  return (row) => {
    try {
      const ciphertexts = row.values.map((value) => {
        if (value === null) return null;
        const plain = box.open(row.keyId, value.ciphertext, value.aad);
        try {
          return box.seal(plain, value.aad).ciphertext;
        } finally {
          plain.fill(0);
        }
      });
      return { keyId: box.activeKeyId, ciphertexts };
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      onFailure(row.id, error.message);
      return null;
    }
  };
}
