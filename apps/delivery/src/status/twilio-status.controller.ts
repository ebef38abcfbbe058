import { Body, Controller, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '@twofold/platform/http';
import { TwilioStatusService } from './twilio-status.service';

@Controller('twilio')
export class TwilioStatusController {
  constructor(private readonly status: TwilioStatusService) {}

  /** Twilio's status callbacks (form-encoded). Public: the Twilio signature is the credential. */
  @Post('status')
  @Public()
  @HttpCode(204)
  @ApiExcludeEndpoint()
  async receive(
    @Req() request: FastifyRequest,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Query() query: { t?: string; m?: string },
    @Body() body: unknown,
  ): Promise<void> {
    const params = formParams(body);
    this.status.verify(signature, request.url, params);
    await this.status.apply(query, params);
  }
}

/** The form fields as plain strings (a repeated field keeps its first value). */
function formParams(body: unknown): Record<string, string> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}
