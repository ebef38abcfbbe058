import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { MetricsAccess, METRICS_ACCESS_DENIED, METRICS_ACCESS_DENIED_MESSAGE } from './access';
import { metricsRegistry } from './registry';

const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

function answer(res: ServerResponse, status: number, code: string, message: string, correlationId: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', [CORRELATION_HEADER]: correlationId });
  res.end(JSON.stringify({ code, message, correlationId }));
}

/** What a worker's metrics listener answers: GET /metrics to the allowed, a coded refusal (R29) to anyone else. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, access: MetricsAccess): Promise<void> {
  const given = req.headers[CORRELATION_HEADER];
  const correlationId = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') return answer(res, 404, 'not_found', 'No such resource.', correlationId);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return answer(res, 405, 'method_not_allowed', 'Only GET /metrics is served here.', correlationId);
  }
  if (!access.allows(req.socket.remoteAddress, req.headers.authorization)) {
    return answer(res, 403, METRICS_ACCESS_DENIED, METRICS_ACCESS_DENIED_MESSAGE, correlationId);
  }
  try {
    const text = await metricsRegistry.metrics();
    res.writeHead(200, { 'content-type': metricsRegistry.contentType, [CORRELATION_HEADER]: correlationId });
    res.end(req.method === 'HEAD' ? undefined : text);
  } catch {
    answer(res, 500, 'internal_error', 'The metrics could not be collected.', correlationId);
  }
}

/**
 * A worker process's metrics endpoint (METRICS_PORT): a bare node:http listener, since workers serve
 * no HTTP otherwise. The client address is the socket's peer (no proxy headers are read here).
 */
export async function startMetricsListener(port: number, host: string, access: MetricsAccess): Promise<Server> {
  const server = createServer((req, res) => void serveMetrics(req, res, access));
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
