import { withStatements } from './sql-fragment';

describe('withStatements', () => {
  it('renumbers each statement’s parameters after the previous ones and keeps the values in order', () => {
    const combined = withStatements({ text: 'INSERT INTO a (x, y) VALUES ($1, $2) RETURNING x', values: ['x', 'y'] }, [
      { text: 'INSERT INTO b (x, z) VALUES ($1, $2)', values: ['bx', 'bz'] },
      { text: 'INSERT INTO c (x) VALUES ($1) ON CONFLICT DO NOTHING', values: ['cx'] },
    ]);
    expect(combined.text).toBe(
      'WITH s0 AS (INSERT INTO a (x, y) VALUES ($1, $2) RETURNING x), s1 AS (INSERT INTO b (x, z) VALUES ($3, $4)), ' +
        's2 AS (INSERT INTO c (x) VALUES ($5) ON CONFLICT DO NOTHING) SELECT * FROM s0',
    );
    expect(combined.values).toEqual(['x', 'y', 'bx', 'bz', 'cx']);
  });

  it('handles two-digit parameters and a statement used twice', () => {
    const many = { text: Array.from({ length: 12 }, (_, i) => `$${i + 1}`).join(','), values: Array(12).fill(0) };
    const combined = withStatements(many, [many]);
    expect(combined.text).toContain('$24');
    expect(combined.text).not.toContain('$25');
    expect(combined.values).toHaveLength(24);
  });
});
