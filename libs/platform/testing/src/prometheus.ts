/**
 * Reads Prometheus text (format 0.0.4) as a scraper would: tests check what /metrics answers over
 * HTTP, never prom-client's registry in memory.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class Scrape {
  constructor(
    readonly samples: Sample[],
    readonly text: string,
  ) {}

  static parse(text: string): Scrape {
    const samples: Sample[] = [];
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/.exec(line);
      if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      const body = m[3] ?? '';
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/g;
      let l: RegExpExecArray | null;
      while ((l = re.exec(body)))
        labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      const raw = m[4] as string;
      const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
      samples.push({ name: m[1] as string, labels, value });
    }
    return new Scrape(samples, text);
  }

  /** The sum of every series of `name` whose labels include `labels` (0 when there is none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.matching(name, labels).reduce((sum, s) => sum + s.value, 0);
  }

  /** Whether some series of `name` with these labels is present. */
  has(name: string, labels: Record<string, string> = {}): boolean {
    return this.matching(name, labels).length > 0;
  }

  matching(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** Every label value that a metric's series carry (to assert that no tenant id or raw URL leaks). */
  labelValues(prefix = 'twofold_'): string[] {
    return this.samples.filter((s) => s.name.startsWith(prefix)).flatMap((s) => Object.values(s.labels));
  }
}

/** `after - before` of one series, for "moved by the right amount" checks. */
export function delta(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): number {
  return after.value(name, labels) - before.value(name, labels);
}
