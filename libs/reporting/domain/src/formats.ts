/** Export formats (R27): CSV (RFC 4180), NDJSON, and a JSON array, each written row by row. */
export const REPORT_FORMATS = ['csv', 'ndjson', 'json'] as const;
export type ReportFormatName = (typeof REPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ReportFormatName, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/**
 * One CSV cell: RFC 4180 quoting, and formula-injection safety for spreadsheets (OWASP): a text cell
 * that starts with = + - @ (or tab / carriage return) gets a leading apostrophe, so Excel and Sheets
 * show it as text instead of running it. Numbers and dates are written as they are.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Turns rows into the chunks of one export file, whatever its format. */
export class ReportWriter {
  private first = true;

  constructor(
    private readonly format: ReportFormatName,
    private readonly columns: readonly string[],
  ) {}

  header(): string {
    if (this.format === 'csv') return csvLine([...this.columns]);
    return this.format === 'json' ? '[' : '';
  }

  row(row: Record<string, unknown>): string {
    const ordered = Object.fromEntries(this.columns.map((c) => [c, row[c] ?? null]));
    if (this.format === 'csv') return csvLine(this.columns.map((c) => ordered[c]));
    if (this.format === 'ndjson') return `${JSON.stringify(ordered)}\n`;
    const sep = this.first ? '' : ',';
    this.first = false;
    return `${sep}\n${JSON.stringify(ordered)}`;
  }

  footer(): string {
    return this.format === 'json' ? '\n]\n' : '';
  }
}
