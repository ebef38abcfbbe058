import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiOkResponse({ description: '`{ received: true, result }` — processed, duplicate or ignored.' })
  @ApiBadRequestResponse({ description: '`webhook_signature_invalid`: nothing was stored.' })
  async receive(
    @Req() request: FastifyRequest,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; result: string }> {
    const event = this.webhooks.verify(rawBodyOf(request.raw), signature);
    return { received: true, result: await this.webhooks.receive(event) };
  }
}
