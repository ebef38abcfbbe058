import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';

/** Routes that accept `multipart/form-data` say so with @RouteConfig({ multipart: true }). */
export interface MultipartRouteConfig {
  bodyLimitBytes?: number;
  multipart?: boolean;
}

export class MultipartError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_CTP_INVALID_CONTENT';
}

/**
 * Reads a buffered `multipart/form-data` body (bounded by the route's body limit) into its fields:
 * `{ name: text }`, each file part as its content decoded as UTF-8. Enough for one small upload; no
 * temp files, no streaming.
 */
export function parseMultipart(body: Buffer, contentType: string): Record<string, string> {
  const boundary = /boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) throw new MultipartError('multipart/form-data needs a boundary');
  const delimiter = Buffer.from(`--${mark}`);
  const fields: Record<string, string> = {};
  let start = body.indexOf(delimiter);
  if (start < 0) throw new MultipartError('the multipart body has no parts');
  for (;;) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') return fields; // closing delimiter
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) throw new MultipartError('the multipart body is truncated');
    const part = body.subarray(start + 2, next); // skip the CRLF after the delimiter
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw new MultipartError('a multipart part has no headers');
    const headers = part.subarray(0, split).toString('utf8');
    const name = /content-disposition:[^\r\n]*;\s*name="([^"]*)"/i.exec(headers)?.[1];
    if (!name) throw new MultipartError('a multipart part has no name');
    if (name in fields) throw new MultipartError(`the multipart field "${name}" appears twice`);
    fields[name] = part.subarray(split + 4).toString('utf8');
    start = next + 2;
  }
}

/**
 * Adds a `multipart/form-data` parser to the Fastify instance. Routes without
 * `config.multipart` answer it exactly as before (415), so no other route changes behaviour.
 * Must run before the instance is ready (a module's onModuleInit does).
 */
export function registerMultipart(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser('multipart/form-data')) return;
  fastify.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      const config = request.routeOptions.config as MultipartRouteConfig | undefined;
      if (!config?.multipart) {
        done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(request.headers['content-type']));
        return;
      }
      try {
        const fields = parseMultipart(body, request.headers['content-type'] ?? '');
        const { file, ...rest } = fields;
        done(null, file === undefined ? rest : { ...rest, content: file });
      } catch (e) {
        done(e as Error);
      }
    },
  );
}
