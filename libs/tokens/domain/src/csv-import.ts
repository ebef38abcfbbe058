import { parse } from 'csv-parse/sync';
import { decodeBase32 } from '@twofold/platform/crypto';
import type { ImportedKey } from './oath-key';
import { TokenErrors } from './tokens.errors';

export const MAX_IMPORT_ROWS = 10_000;

const DIRECTORY_COLUMNS = 6; // upn,serial number,secret key,time interval,manufacturer,model
const PLAIN_COLUMNS = 3; // serial number,secret key,time interval

type CsvRecord = { record: string[]; info: { lines: number } };

const isHeader = (cells: string[]) => cells.some((c) => /serial/i.test(c));
const orNull = (s: string | undefined) => (s === undefined || s === '' ? null : s);

/**
 * Hardware token CSV (R25), in the directory format `upn,serial number,secret key,time interval,
 * manufacturer,model` or the plain `serial number,secret key,time interval`. A header is optional;
 * a BOM and CRLF line ends are accepted. Each row keeps its 1-based line in the file; a row that
 * cannot become a token carries its reason instead of failing the file.
 */
export function parseOathCsv(content: string): ImportedKey[] {
  let records: CsvRecord[];
  try {
    records = parse(content, {
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    }) as CsvRecord[];
  } catch (e) {
    throw TokenErrors.unreadable(`The CSV cannot be read: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  const first = records[0];
  if (first && isHeader(first.record)) records = records.slice(1);
  if (records.length === 0) throw TokenErrors.empty();
  if (records.length > MAX_IMPORT_ROWS) throw TokenErrors.tooManyRows(MAX_IMPORT_ROWS);
  return records.map(({ record, info }) => {
    // csv-parse reports the line a record ends on; a quoted field may span lines.
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    return csvKey(record, line);
  });
}

function csvKey(cells: string[], line: number): ImportedKey {
  const base: ImportedKey = {
    line,
    serial: null,
    type: 'totp',
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    counter: 0n,
    expiresAt: null,
    manufacturer: null,
    model: null,
    upn: null,
  };
  let upn: string | undefined, serial: string | undefined, secret: string | undefined, interval: string | undefined;
  let manufacturer: string | undefined, model: string | undefined;
  if (cells.length === DIRECTORY_COLUMNS) [upn, serial, secret, interval, manufacturer, model] = cells;
  else if (cells.length === PLAIN_COLUMNS) [serial, secret, interval] = cells;
  else return { ...base, serial: orNull(cells[0]), rejected: 'invalid_row' };

  const key: ImportedKey = {
    ...base,
    serial: orNull(serial),
    upn: orNull(upn),
    manufacturer: orNull(manufacturer),
    model: orNull(model),
    period: /^\d{1,4}$/.test(interval ?? '') ? Number(interval) : 0,
  };
  if (!secret) return key;
  try {
    return { ...key, secret: decodeBase32(secret) };
  } catch {
    return { ...key, rejected: 'invalid_secret' };
  }
}
