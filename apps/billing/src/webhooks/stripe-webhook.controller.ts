import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiRequestTimeoutResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '@twofold/platform/http';
import { rawBodyOf } from './raw-body.hook';
import { StripeWebhookService } from './stripe-webhook.service';

@ApiTags('billing')
@Controller('billing/webhooks')
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  /** Public: Stripe authenticates with the signature over the raw body, checked before anything is stored. */
  @Public()
  @Post('stripe')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stripe webhook endpoint (R10): signature-checked, stored once per event id, idempotent.' })
  @ApiOkResponse({
    description:
      '`{ received: true, result }` — processed, duplicate or ignored (also when its object is not understood).',
  })
  @ApiBadRequestResponse({
    description:
      '`webhook_signature_invalid`, or `webhook_event_invalid` (signed, but not a Stripe event that can be stored): nothing was stored.',
  })
  @ApiPayloadTooLargeResponse({ description: '`payload_too_large`: the body passed 1 MiB; the rest was not read.' })
  @ApiRequestTimeoutResponse({ description: '`request_timeout`: the body did not arrive within 10 s.' })
  async receive(
    @Req() request: FastifyRequest,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; result: string }> {
    const event = this.webhooks.verify(rawBodyOf(request.raw), signature);
    return { received: true, result: await this.webhooks.receive(event) };
  }
}
