import { randomUUID } from 'node:crypto';
import request from 'supertest';

/**
 * The net for what no review found (issue 15): every operation of a service's OpenAPI document gets
 * malformed input (non-UUID and random-UUID path ids; JSON bodies `[]`, `null`, `"x"`, `{}`; each
 * declared property with the wrong type and as a 10,000-character string; wrong-typed query values
 * and crafted cursors). No answer may be a 5xx, and every 4xx must carry `code`, `message` and
 * `correlationId` (R29). A new operation is covered as soon as it is in the document.
 */

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  minLength?: number;
  nullable?: boolean;
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface FuzzFinding {
  operation: string;
  variant: string;
  status: number;
  body: unknown;
}

export interface FuzzReport {
  operations: number;
  requests: number;
  findings: FuzzFinding[];
}

export interface FuzzOptions {
  /** supertest against the app under test (in-process). */
  http: () => ReturnType<typeof request>;
  document: OpenApiDocument;
  /**
   * Candidate Authorization header values, best first. Each operation is probed once with each, and
   * fuzzed with the first one the endpoint does not refuse as the wrong kind of credential (so the
   * input reaches validation and the service, not only the guard).
   */
  credentials: string[];
  /** Operations to leave out, as `METHOD /path` (say why where they are listed). */
  skip?: string[];
  /** Operations fuzzed in parallel. */
  concurrency?: number;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = (typeof METHODS)[number];

/** Answers that say the credential is the wrong kind for this endpoint: try the next candidate. */
const WRONG_CREDENTIAL = new Set([
  'unauthorized',
  'tenant_key_required',
  'operator_key_required',
  'mfa_server_credential_required',
]);

const LONG = 'x'.repeat(10_000);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Cursors that look almost right (issue 15 item 3), and plainly wrong ones. */
export const CRAFTED_CURSORS = [
  b64(['2026-11-01T00:00:00.000Z', '-'.repeat(36)]),
  b64(['not-a-date', randomUUID()]),
  b64([1, 2]),
  b64({ at: '2026-11-01T00:00:00.000Z', id: randomUUID() }),
  b64(null),
  b64(['2026-11-01T00:00:00.000Z', randomUUID(), 'extra']),
  Buffer.from('["2026-11-01T00:00:00.000Z",').toString('base64url'),
  'garbage!!',
  '%00',
  LONG,
];

class Resolver {
  constructor(private readonly document: OpenApiDocument) {}

  resolve(schema: Schema | undefined, depth = 0): Schema {
    if (!schema || depth > 8) return {};
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      return this.resolve(this.document.components?.schemas?.[name], depth + 1);
    }
    if (schema.allOf) {
      const parts = schema.allOf.map((s) => this.resolve(s, depth + 1));
      return {
        ...Object.assign({}, ...parts),
        properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
        required: parts.flatMap((p) => p.required ?? []),
      };
    }
    const first = schema.oneOf?.[0] ?? schema.anyOf?.[0];
    if (first) return this.resolve(first, depth + 1);
    return schema;
  }

  /** A value the schema accepts, as far as a schema can tell (required properties only). */
  example(schema: Schema | undefined, depth = 0): unknown {
    const s = this.resolve(schema);
    if (s.enum && s.enum.length > 0) return s.enum[0];
    switch (s.type) {
      case 'string':
        if (s.format === 'uuid') return randomUUID();
        if (s.format === 'date-time') return '2026-11-01T00:00:00Z';
        if (s.format === 'date') return '2026-11-01';
        if (s.format === 'email') return 'fuzz@example.com';
        return 'fuzz'.padEnd(s.minLength ?? 4, 'z');
      case 'integer':
      case 'number':
        return s.minimum ?? 1;
      case 'boolean':
        return true;
      case 'array':
        return depth > 4 ? [] : [this.example(s.items, depth + 1)];
      case undefined:
      default: {
        if (!s.properties || depth > 4) return {};
        const out: Record<string, unknown> = {};
        for (const name of s.required ?? []) out[name] = this.example(s.properties[name], depth + 1);
        return out;
      }
    }
  }

  wrongType(schema: Schema | undefined): unknown {
    const s = this.resolve(schema);
    switch (s.type) {
      case 'string':
        return 12345;
      case 'integer':
      case 'number':
        return 'not-a-number';
      case 'boolean':
        return 'maybe';
      case 'array':
        return 'not-an-array';
      case 'object':
        return 'not-an-object';
      case undefined:
      default:
        return s.properties ? 'not-an-object' : { unexpected: true };
    }
  }
}

interface Request {
  variant: string;
  path: Record<string, string>;
  query?: Record<string, unknown>;
  /** Sent as-is with content-type application/json. */
  rawJson?: string;
}

function variantsOf(
  method: Method,
  op: Operation,
  pathParams: string[],
  resolver: Resolver,
  known: Record<string, string> = {},
): Request[] {
  // Existing objects where the collection lists one (the input then reaches the service), random ids elsewhere.
  const ids = Object.fromEntries(pathParams.map((p) => [p, known[p] ?? randomUUID()]));
  const params = (op.parameters ?? []).filter((p) => p.in === 'query');
  const baseQuery: Record<string, unknown> = {};
  for (const p of params) if (p.required) baseQuery[p.name] = resolver.example(p.schema);
  const jsonSchema = op.requestBody?.content?.['application/json']?.schema;
  const body = jsonSchema ? resolver.example(jsonSchema) : undefined;
  const withBody = (value: unknown) => (jsonSchema ? JSON.stringify(value) : undefined);
  const out: Request[] = [
    { variant: 'random ids, example input', path: ids, query: baseQuery, rawJson: withBody(body) },
  ];

  for (const name of pathParams) {
    for (const bad of ['not-a-uuid', 'A'.repeat(36), "1' OR '1'='1", '..%2F..%2Fetc', 'x'.repeat(300)]) {
      out.push({
        variant: `path ${name}=${bad.slice(0, 20)}`,
        path: { ...ids, [name]: bad },
        query: baseQuery,
        rawJson: withBody(body),
      });
    }
    out.push({
      variant: `path ${name} upper-case uuid`,
      path: { ...ids, [name]: randomUUID().toUpperCase() },
      query: baseQuery,
      rawJson: withBody(body),
    });
  }

  // Bodies also go to writes that declare none (webhooks, callbacks): what arrives is not what is documented.
  if (op.requestBody || method === 'post' || method === 'put' || method === 'patch') {
    for (const raw of ['[]', 'null', '"x"', '{}', '7', '{"a":', '{"__proto__":{"admin":true}}']) {
      out.push({ variant: `body ${raw}`, path: ids, query: baseQuery, rawJson: raw });
    }
  }
  const props = resolver.resolve(jsonSchema).properties ?? {};
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [name, schema] of Object.entries(props)) {
      const base = body as Record<string, unknown>;
      out.push({
        variant: `body.${name} wrong type`,
        path: ids,
        query: baseQuery,
        rawJson: JSON.stringify({ ...base, [name]: resolver.wrongType(schema) }),
      });
      out.push({
        variant: `body.${name} 10,000 characters`,
        path: ids,
        query: baseQuery,
        rawJson: JSON.stringify({ ...base, [name]: LONG }),
      });
      out.push({
        variant: `body.${name} null`,
        path: ids,
        query: baseQuery,
        rawJson: JSON.stringify({ ...base, [name]: null }),
      });
      const nested = resolver.resolve(schema).properties;
      for (const [inner, innerSchema] of Object.entries(nested ?? {})) {
        const value = {
          ...(resolver.example(schema) as Record<string, unknown>),
          [inner]: resolver.wrongType(innerSchema),
        };
        out.push({
          variant: `body.${name}.${inner} wrong type`,
          path: ids,
          query: baseQuery,
          rawJson: JSON.stringify({ ...base, [name]: value }),
        });
      }
    }
  }

  for (const p of params) {
    const bad: unknown[] = /cursor/i.test(p.name)
      ? CRAFTED_CURSORS
      : [resolver.wrongType(p.schema), LONG, ['a', 'b'], '', '-1', '1e309', '2026-13-45T99:99:99Z'];
    for (const value of bad) {
      out.push({
        variant: `query ${p.name}=${String(value).slice(0, 24)}`,
        path: ids,
        query: { ...baseQuery, [p.name]: value },
        rawJson: withBody(body),
      });
    }
  }
  return out;
}

function urlOf(template: string, path: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(path[name] ?? randomUUID()));
}

async function send(
  options: FuzzOptions,
  method: Method,
  template: string,
  req: Request,
  credential: string | undefined,
): Promise<request.Response> {
  let r = options.http()[method](urlOf(template, req.path));
  if (credential) r = r.set('authorization', credential);
  if (req.query && Object.keys(req.query).length > 0) r = r.query(req.query as Record<string, string>);
  // Downloads answer with files; keep their bodies as bytes, never parsed.
  r = r.buffer(true).timeout({ response: 15_000, deadline: 30_000 });
  if (req.rawJson !== undefined) r = r.set('content-type', 'application/json').send(req.rawJson);
  return r.ok(() => true);
}

function problem(res: request.Response): string | null {
  if (res.status >= 500) return `${res.status}`;
  if (res.status >= 400) {
    const body = res.body as { code?: unknown; message?: unknown; correlationId?: unknown } | undefined;
    if (typeof body?.code !== 'string' || typeof body.message !== 'string' || typeof body.correlationId !== 'string') {
      return `${res.status} without code, message and correlationId`;
    }
  }
  return null;
}

/** Runs the net over every operation of the document; returns what broke the rule (empty: all good). */
export async function fuzzOpenApi(options: FuzzOptions): Promise<FuzzReport> {
  const resolver = new Resolver(options.document);
  const skip = new Set(options.skip ?? []);
  const operations: { method: Method; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(options.document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op && !skip.has(`${method.toUpperCase()} ${path}`)) operations.push({ method, path, op });
    }
  }
  const findings: FuzzFinding[] = [];
  let requests = 0;
  const known = await harvestIds(options, operations);
  const run = async (queue: typeof operations) => {
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { method, path, op } = next;
        const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
        const variants = variantsOf(method, op, pathParams, resolver, known.get(path));
        const name = `${method.toUpperCase()} ${path}`;
        // Pick the credential: the first the endpoint does not refuse as the wrong kind.
        let credential: string | undefined = options.credentials[0];
        for (const candidate of options.credentials) {
          const res = await send(options, method, path, variants[0] as Request, candidate);
          requests += 1;
          if (problem(res)) {
            findings.push({
              operation: name,
              variant: `${(variants[0] as Request).variant} (probe)`,
              status: res.status,
              body: res.body,
            });
          }
          credential = candidate;
          const code = (res.body as { code?: string } | undefined)?.code;
          if (!(res.status === 401 || res.status === 403) || !code || !WRONG_CREDENTIAL.has(code)) break;
        }
        for (const req of variants.slice(1)) {
          let res: request.Response;
          try {
            res = await send(options, method, path, req, credential);
          } catch (error) {
            findings.push({ operation: name, variant: req.variant, status: 0, body: String(error) });
            continue;
          }
          requests += 1;
          if (problem(res)) {
            findings.push({
              operation: name,
              variant: req.variant,
              status: res.status,
              body: Buffer.isBuffer(res.body) ? res.body.toString('utf8').slice(0, 300) : res.body,
            });
          }
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  };
  // Deletions last, so the objects the other operations were given still exist while they run.
  await run(operations.filter((o) => o.method !== 'delete'));
  await run(operations.filter((o) => o.method === 'delete'));
  return { operations: operations.length, requests, findings };
}

/**
 * For each path `/things/{id}…`, the id of an object `GET /things` lists (first item), so operations
 * on existing objects get their malformed input past the lookup. Only the first path parameter.
 */
async function harvestIds(
  options: FuzzOptions,
  operations: { method: Method; path: string }[],
): Promise<Map<string, Record<string, string>>> {
  const listable = new Set(operations.filter((o) => o.method === 'get' && !o.path.includes('{')).map((o) => o.path));
  const out = new Map<string, Record<string, string>>();
  const cache = new Map<string, string | undefined>();
  for (const { path } of operations) {
    const match = /^(.*?)\/\{(\w+)\}/.exec(path);
    if (!match) continue;
    const [, collection = '', param = ''] = match;
    if (!listable.has(collection)) continue;
    if (!cache.has(collection)) {
      let id: string | undefined;
      for (const credential of options.credentials) {
        const res = await options
          .http()
          .get(collection)
          .set('authorization', credential)
          .ok(() => true);
        const body = res.body as { items?: { id?: unknown }[] } | { id?: unknown }[] | undefined;
        const first = Array.isArray(body) ? body[0] : body?.items?.[0];
        if (res.status === 200 && typeof first?.id === 'string') {
          id = first.id;
          break;
        }
      }
      cache.set(collection, id);
    }
    const id = cache.get(collection);
    if (id) out.set(path, { [param]: id });
  }
  return out;
}

/** One line per finding, for a failing assertion that says what broke and with which input. */
export function describeFindings(findings: FuzzFinding[]): string[] {
  return findings.map((f) => `${f.operation} [${f.variant}] → ${f.status} ${JSON.stringify(f.body).slice(0, 200)}`);
}
