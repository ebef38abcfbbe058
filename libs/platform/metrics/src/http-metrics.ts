import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { httpRequestDuration } from './registry';

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Fastify `onResponse` hook: one histogram observation per answered request, labelled by the route
 * template Fastify matched (`/v1/users/:id`), never the raw URL, so ids and query strings cannot
 * multiply the series. A request no route matched is `unmatched`. Synchronous: no await, no I/O.
 */
export function observeHttpRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const route = request.routeOptions?.url ?? 'unmatched';
  const method = METHODS.has(request.method) ? request.method : 'OTHER';
  httpRequestDuration.observe({ route, method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  done();
}
