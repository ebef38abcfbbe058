import { DynamicModule, INestApplication, Type, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { HttpConfig } from '@twofold/platform/config';
import { CommonErrorCode } from '@twofold/platform/errors';
import { observeHttpRequest } from '@twofold/platform/metrics';
import { CORRELATION_HEADER, contextOf } from './correlation';
import { ErrorFilter, FASTIFY_ERROR_CODE } from './error.filter';
import { createValidationPipe } from './validation';

export interface HttpAppOptions {
  title: string;
  description: string;
}

export async function createHttpApp(
  rootModule: Type<unknown> | DynamicModule,
  config: HttpConfig,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    // Only the configured proxies may speak for the client (issue 15 item 7): X-Forwarded-For gives
    // request.ip (recorded server IPs, per-IP limits), X-Forwarded-Proto gives R28's HTTPS check.
    trustProxy: config.TRUST_PROXY,
    // Nest logs through pino; Fastify's own logger stays off to avoid a second, unredacted log.
    logger: false,
    genReqId: (raw: IncomingMessage) => contextOf(raw).correlationId,
    // Router-level failures never reach Nest: answer them in the same R29 shape.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply
        .status(tooLong ? 404 : 400)
        .header(CORRELATION_HEADER, contextOf(request.raw).correlationId)
        .send({
          code: tooLong ? CommonErrorCode.NotFound : CommonErrorCode.BadRequest,
          message: tooLong ? 'No such resource.' : 'The request URL is not valid.',
          correlationId: contextOf(request.raw).correlationId,
        });
    },
  });
  const fastify = adapter.getInstance();
  // Only JSON (and what an app registers itself) is accepted; text/plain bodies get a 415.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(CORRELATION_HEADER, contextOf(request.raw).correlationId);
  });
  // docs/decisions/0024: request durations by route template, method and status (in memory, no I/O).
  fastify.addHook('onResponse', observeHttpRequest);
  // A route may raise its own body limit (bulk imports) with @RouteConfig({ bodyLimitBytes }).
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as { bodyLimitBytes?: number } | undefined)?.bodyLimitBytes;
    if (limit) route.bodyLimit = limit;
  });
  // Nest replaces Fastify's error handler; keep Fastify's error code so the filter can name it.
  fastify.addHook('onError', async (request, _reply, error) => {
    (request.raw as unknown as Record<symbol, string | undefined>)[FASTIFY_ERROR_CODE] = (
      error as { code?: string }
    ).code;
  });

  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();
  setupOpenApi(app, options);
  return app;
}

export function buildOpenApiDocument(app: INestApplication, options: HttpAppOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description:
        'A tenant API key, or the platform operator key, in the Authorization header only (never as a query parameter or body field).',
    })
    .build();
  return SwaggerModule.createDocument(app, config);
}

function setupOpenApi(app: NestFastifyApplication, options: HttpAppOptions): void {
  const document = buildOpenApiDocument(app, options);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: options.title,
  });
}

/** Listens, then on SIGTERM/SIGINT stops taking requests, lets in-flight ones finish, and closes. */
export async function listen(app: NestFastifyApplication, config: HttpConfig): Promise<void> {
  await app.listen({ port: config.PORT, host: config.HOST });
  app.get(Logger).log(`listening on ${config.HOST}:${config.PORT}`);
}
