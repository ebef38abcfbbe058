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
}
