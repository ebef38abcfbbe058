import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrorCode, DomainError, ErrorKind } from '@twofold/platform/errors';
import { contextOf } from './correlation';

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

const CODE_OF_STATUS: Record<number, CommonErrorCode> = {
  400: CommonErrorCode.BadRequest,
  401: CommonErrorCode.Unauthorized,
  403: CommonErrorCode.Forbidden,
  404: CommonErrorCode.NotFound,
  405: CommonErrorCode.MethodNotAllowed,
  408: CommonErrorCode.RequestTimeout,
  409: CommonErrorCode.Conflict,
  413: CommonErrorCode.PayloadTooLarge,
  415: CommonErrorCode.UnsupportedMediaType,
  429: CommonErrorCode.RateLimited,
  503: CommonErrorCode.Unavailable,
};

export interface ErrorBody {
  code: string;
  message: string;
  correlationId: string;
  tenantId?: string;
  userId?: string;
  [extra: string]: unknown;
}

/** Fastify's own error codes survive Nest's handler on the raw request (see main bootstrap). */
export const FASTIFY_ERROR_CODE = Symbol('fastifyErrorCode');

/**
 * The one place an error becomes an HTTP response (R29): `{ code, message, correlationId }`, plus
 * the tenant and user ids where known. Unknown errors are logged in full and answered as a bare 500.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const ctx = contextOf(request.raw);
    const { status, body } = this.describe(exception, request);
    const full = { ...body, correlationId: ctx.correlationId } as ErrorBody;
    if (ctx.tenantId) full.tenantId = ctx.tenantId;
    if (ctx.userId) full.userId = ctx.userId;
    if (status >= 500) {
      this.logger.error(
        { err: exception, correlationId: ctx.correlationId, tenantId: ctx.tenantId },
        'unhandled error while serving a request',
      );
    }
    if (status === 429 && body.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(body.retryAfterSeconds));
    }
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(full);
  }

  private describe(
    exception: unknown,
    request: FastifyRequest,
  ): { status: number; body: Omit<ErrorBody, 'correlationId'> } {
    if (exception instanceof DomainError) {
      return {
        status: STATUS_OF_KIND[exception.kind],
        body: { code: exception.code, message: exception.message, ...(exception.details ?? {}) },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const fastifyCode = (request.raw as unknown as Record<symbol, string | undefined>)[FASTIFY_ERROR_CODE];
      if (status === 400 && fastifyCode && /JSON|BODY|CTP_EMPTY/.test(fastifyCode)) {
        return { status, body: { code: CommonErrorCode.InvalidJson, message: 'The request body is not valid JSON.' } };
      }
      if (status === 404) {
        return { status, body: { code: CommonErrorCode.NotFound, message: 'No such resource.' } };
      }
      const code = CODE_OF_STATUS[status] ?? (status >= 500 ? CommonErrorCode.Internal : CommonErrorCode.BadRequest);
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? String((response as { message: unknown }).message)
          : exception.message;
      return { status, body: { code, message: status >= 500 ? 'Internal error.' : message } };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { code: CommonErrorCode.Internal, message: 'Internal error. Quote the correlation id to support.' },
    };
  }
}

export const STATUS_BY_KIND = STATUS_OF_KIND;
