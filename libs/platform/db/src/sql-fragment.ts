/**
 * One SQL statement with its own `$1…$n` parameters, authored by the data-access lib that owns the
 * table it writes. `withStatements` runs several of them as one statement (data-modifying CTEs),
 * renumbering each fragment's parameters, so a use case that writes rows of several domains
 * atomically pays one round trip while each domain keeps its SQL (docs/decisions/0016).
 */
export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

const PARAM = /\$(\d+)/g;

function shifted(statement: SqlStatement, by: number): string {
  return statement.text.replace(PARAM, (_m, n: string) => `$${Number(n) + by}`);
}

/**
 * `WITH s0 AS (<main> RETURNING …), s1 AS (<other>), … SELECT * FROM s0`: the rows the first
 * statement returns. PostgreSQL runs every part, whether or not the final SELECT reads it.
 */
export function withStatements(main: SqlStatement, others: readonly SqlStatement[]): SqlStatement {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [i, statement] of [main, ...others].entries()) {
    parts.push(`s${i} AS (${shifted(statement, values.length)})`);
    values.push(...statement.values);
  }
  return { text: `WITH ${parts.join(', ')} SELECT * FROM s0`, values };
}
