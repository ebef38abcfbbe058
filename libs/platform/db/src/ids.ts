import { v7 } from 'uuid';

/**
 * Ids of rows written in time order on the hot paths (authentications, messages): UUIDv7, whose
 * leading bits are the time. Each insert then lands at the right edge of the id indexes, in pages
 * that are already in memory, instead of in a random leaf of an index as large as the tenant's
 * history (one page read and, after a checkpoint, a full-page image in the WAL per insert;
 * docs/decisions/0017). Ids stay opaque and unguessable: 74 random bits follow the time.
 */
export const newRowId = (): string => v7();
