import { PHONE_REFUSAL_REASONS } from '@twofold/delivery/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldProblemDto {
  @ApiProperty({ example: 'billingModel' }) field!: string;
  @ApiProperty({ type: [String] }) problems!: string[];
}

/** R29: every error response. */
export class ErrorResponseDto {
  @ApiProperty({ example: 'billing_model_immutable' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ description: 'Quote it to support; also sent as the X-Correlation-Id header.' })
  correlationId!: string;
  @ApiPropertyOptional({ format: 'uuid' }) tenantId?: string;
  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'On validation_failed: each bad field.' })
  errors?: FieldProblemDto[];
  @ApiPropertyOptional({
    enum: PHONE_REFUSAL_REASONS,
    description: 'On phone_number_not_allowed: the class of the refused number (docs/decisions/0019).',
  })
  reason?: string;
  @ApiPropertyOptional({
    example: 'SO',
    description: 'On country_not_allowed, no_route_for_country, sms_velocity_exceeded: the destination country.',
  })
  country?: string;
  @ApiPropertyOptional({ description: 'On 429: seconds to wait, also sent as the Retry-After header.' })
  retryAfterSeconds?: number;
}
