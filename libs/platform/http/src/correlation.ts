import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** What we learn about a request while serving it; kept on the raw request for logs and errors. */
export interface RequestContext {
  correlationId: string;
  tenantId?: string;
  userId?: string;
}

type RawWithContext = IncomingMessage & { twofold?: RequestContext };

/** A caller's correlation id is reused when it is safe to echo; otherwise we mint one. */
export function correlationIdFor(raw: IncomingMessage): string {
  const ctx = contextOf(raw);
  return ctx.correlationId;
}

export function contextOf(raw: IncomingMessage): RequestContext {
  const r = raw as RawWithContext;
  if (!r.twofold) {
    const given = r.headers[CORRELATION_HEADER];
    const id = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
    r.twofold = { correlationId: id };
  }
  return r.twofold;
}

/** The request's correlation id, for audit entries and outgoing jobs. */
export const CorrelationId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    contextOf(context.switchToHttp().getRequest<FastifyRequest>().raw).correlationId,
);
