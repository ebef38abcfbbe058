import { csvCell, csvLine, ReportWriter } from './formats';

describe('report formats (R27)', () => {
  it('quotes per RFC 4180', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });

  it('neutralises spreadsheet formulas in text cells', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell('+14255550100')).toBe("'+14255550100");
  });

  it('writes valid JSON and NDJSON row by row', () => {
    const rows = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2, extra: 'dropped' },
    ];
    const json = new ReportWriter('json', ['id', 'n']);
    const text = json.header() + rows.map((r) => json.row(r)).join('') + json.footer();
    expect(JSON.parse(text)).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
    const nd = new ReportWriter('ndjson', ['id']);
    expect(rows.map((r) => nd.row(r)).join('')).toBe('{"id":"a"}\n{"id":"b"}\n');
    const empty = new ReportWriter('json', ['id']);
    expect(JSON.parse(empty.header() + empty.footer())).toEqual([]);
  });
});
