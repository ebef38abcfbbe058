import { HttpException, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export const STRIPE_WEBHOOK_PATH = '/v1/billing/webhooks/stripe';
const RAW_BODY = Symbol('rawBody');

/**
 * Issue 13 item 5: the webhook endpoint is public, so its body is bounded while it streams in.
 * Stripe's events are a few kilobytes; 1 MiB leaves room for any of them and nothing for a stranger
 * who posts gigabytes. A sender that has not finished its body after WEBHOOK_BODY_TIMEOUT_MS is cut
 * off (Stripe sends a whole event at once).
 */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
export const WEBHOOK_BODY_TIMEOUT_MS = 10_000;

/** The exact bytes Stripe signed (a re-serialised JSON body would not verify). */
export function rawBodyOf(req: IncomingMessage): Buffer | undefined {
  return (req as unknown as Record<symbol, Buffer | undefined>)[RAW_BODY];
}

/** 413 or 408: the error filter answers it with its R29 code (`payload_too_large`, `request_timeout`). */
class BodyRefused extends HttpException {
  constructor(status: 408 | 413, message: string) {
    super({ message }, status);
  }
}

const tooLarge = (limit: number) => new BodyRefused(413, `The body is larger than ${limit} bytes.`);

/**
 * Reads `stream` up to `limit` bytes within `timeoutMs`. Past either, it stops listening and leaves
 * the rest unread: the reply that follows closes the connection instead of draining it.
 */
function readBounded(stream: Readable, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | null): void => {
      clearTimeout(timer);
      stream.off('data', onData).off('end', onEnd).off('error', onError);
      stream.pause();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += bytes.length;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(bytes);
    };
    const onEnd = (): void => finish(null);
    const onError = (error: Error): void => finish(error);
    const timer = setTimeout(
      () => finish(new BodyRefused(408, `The body did not arrive within ${timeoutMs / 1000} s.`)),
      timeoutMs,
    );
    stream.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

function refuse(reply: FastifyReply, error: unknown): never {
  // Whatever the sender still has to say is not read: the connection closes after the answer.
  if (error instanceof BodyRefused) void reply.header('connection', 'close');
  throw error;
}

/** Keeps the raw body of the Stripe webhook route only, before Fastify parses it as JSON. */
@Injectable()
export class RawBodyHook implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('preParsing', async (request, reply, payload) => {
      if (request.url.split('?')[0] !== STRIPE_WEBHOOK_PATH) return payload;
      const declared = Number(request.headers['content-length']);
      if (declared > WEBHOOK_BODY_LIMIT_BYTES) refuse(reply, tooLarge(WEBHOOK_BODY_LIMIT_BYTES));
      const raw = await readBounded(payload, WEBHOOK_BODY_LIMIT_BYTES, WEBHOOK_BODY_TIMEOUT_MS).catch(
        (error: unknown) => refuse(reply, error),
      );
      (request.raw as unknown as Record<symbol, Buffer>)[RAW_BODY] = raw;
      const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
      replay.receivedEncodedLength = raw.length;
      return replay;
    });
  }
}
