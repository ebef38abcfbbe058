import { Controller, Get, Inject, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, BaseConfig } from '@twofold/platform/config';
import { DomainError } from '@twofold/platform/errors';
import {
  METRICS_ACCESS_DENIED,
  METRICS_ACCESS_DENIED_MESSAGE,
  MetricsAccess,
  metricsRegistry,
  metricsText,
} from '@twofold/platform/metrics';
import { Public } from './public.decorator';

/**
 * Prometheus text for the operator's scraper (docs/decisions/0024). Not a tenant API: left out of
 * the OpenAPI document, and guarded here rather than by the tenant/operator key guard, since the
 * allow-listed scraper sends no key. Anyone else gets 403 `metrics_access_denied` (R29).
 */
@ApiExcludeController()
@Public()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  private readonly access: MetricsAccess;

  constructor(@Inject(APP_CONFIG) config: BaseConfig) {
    this.access = new MetricsAccess({ operatorKey: config.OPERATOR_API_KEY, allow: config.METRICS_ALLOW_CIDRS });
  }

  @Get()
  async metrics(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!this.access.allows(request.ip, request.headers.authorization)) {
      throw new DomainError(METRICS_ACCESS_DENIED, 'forbidden', METRICS_ACCESS_DENIED_MESSAGE);
    }
    const text = await metricsText();
    await reply.header('content-type', metricsRegistry.contentType).send(text);
  }
}
