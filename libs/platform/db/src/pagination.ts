import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import { isUuid } from './db.service';

/** Keyset pagination on (time, id): stable under inserts, no OFFSET scans. */
export interface PageCursor {
  at: Date;
  id: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify([c.at.toISOString(), c.id])).toString('base64url');
}

/** Longer than any cursor this API makes (a 24-character time and a 36-character id). */
const MAX_CURSOR_LENGTH = 128;

const cursorInvalid = () =>
  new DomainError(CommonErrorCode.CursorInvalid, 'invalid', 'The cursor is not one this API returned.');

/**
 * Issue 15 item 3: a cursor is accepted only in exactly the shape `encodeCursor` makes (base64url
 * of `["<ISO time>","<uuid>"]`, re-encoding to the same text); anything else, however close, is
 * 400 `cursor_invalid` and never reaches SQL.
 */
export function decodeCursor(raw: string | undefined): PageCursor | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > MAX_CURSOR_LENGTH) throw cursorInvalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw cursorInvalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw cursorInvalid();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !isUuid(id)) throw cursorInvalid();
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw cursorInvalid();
  const cursor = { at: date, id };
  // The exact shape: the same text again (canonical base64url, ISO time, no spaces or padding).
  if (encodeCursor(cursor) !== raw) throw cursorInvalid();
  return cursor;
}

/**
 * A lower bound no row is below: the first page states a condition on the time column too, so it
 * may use the listing's partial index (`WHERE <time> IS NOT NULL`, docs/decisions/0017).
 */
const BEFORE_ANY_ROW = new Date(0);

/**
 * Prisma `where` fragment for rows after the cursor in (`timeField`, id) order, as one `AND` entry
 * (spread it into a `where` that has no `AND` of its own, or append its entry to that `AND`). The
 * `gte` repeats the OR's bound in a form an index range can start from, so page n reads one page of
 * the listing index, not the n - 1 pages before it.
 */
export function afterCursor(c: PageCursor | undefined, timeField = 'createdAt'): { AND: object[] } {
  if (!c) return { AND: [{ [timeField]: { gte: BEFORE_ANY_ROW } }] };
  return {
    AND: [
      {
        [timeField]: { gte: c.at },
        OR: [{ [timeField]: { gt: c.at } }, { [timeField]: c.at, id: { gt: c.id } }],
      },
    ],
  };
}

/** Fetch `limit + 1` rows and pass them here: the extra row tells whether there is a next page. */
export function toPage<T extends { id: string }>(rows: T[], limit: number, timeOf: (row: T) => Date): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ at: timeOf(last), id: last.id }) : null };
}
