import { preparedName } from './db.service';

describe('preparedName (named prepared statements in inTenantSql / query)', () => {
  it('names a text by its digest: the same text always gets the same name, another text another name', () => {
    const a = preparedName('SELECT 1 WHERE $1::int = 1');
    expect(a).toMatch(/^tf_[\w-]{24}$/);
    expect(preparedName('SELECT 1 WHERE $1::int = 1')).toBe(a);
    expect(preparedName('SELECT 2 WHERE $1::int = 1')).not.toBe(a);
  });

  it('stops naming new texts past its bound, so dynamically built texts run unnamed instead of piling up', () => {
    const names = Array.from({ length: 300 }, (_, i) => preparedName(`SELECT ${i} AS bound_probe`));
    expect(names.filter((n) => n === undefined).length).toBeGreaterThan(0);
    expect(names.filter((n) => n !== undefined).length).toBeLessThanOrEqual(256);
    // a text named before the bound was reached keeps its name
    expect(preparedName('SELECT 1 WHERE $1::int = 1')).toMatch(/^tf_/);
  });
});
