import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export const STRIPE_WEBHOOK_PATH = '/v1/billing/webhooks/stripe';
const RAW_BODY = Symbol('rawBody');

/** The exact bytes Stripe signed (a re-serialised JSON body would not verify). */
export function rawBodyOf(req: IncomingMessage): Buffer | undefined {
  return (req as unknown as Record<symbol, Buffer | undefined>)[RAW_BODY];
}

/** Keeps the raw body of the Stripe webhook route only, before Fastify parses it as JSON. */
@Injectable()
export class RawBodyHook implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('preParsing', async (request, _reply, payload) => {
      if (request.url.split('?')[0] !== STRIPE_WEBHOOK_PATH) return payload;
      const chunks: Buffer[] = [];
      for await (const chunk of payload) chunks.push(Buffer.from(chunk as Buffer));
      const raw = Buffer.concat(chunks);
      (request.raw as unknown as Record<symbol, Buffer>)[RAW_BODY] = raw;
      const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
      replay.receivedEncodedLength = raw.length;
      return replay;
    });
  }
}
