import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { ProviderRow } from '@twofold/providers/data-access';
import { BILLING_MODELS, BillingModel, E164, mergeRecordFields, RecordFieldSettings } from '@twofold/providers/domain';
import { IdField } from '@twofold/platform/http';

/** R26: which optional fields authentication records of this provider keep. */
export class RecordFieldsDto implements Partial<RecordFieldSettings> {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() firstName?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() lastName?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() email?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() phoneNumber?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() deviceToken?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() serverName?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() serverIp?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() clientIp?: boolean;
}

export class CreateProviderDto {
  @ApiProperty({ maxLength: 200, example: 'Contoso MFA' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: BILLING_MODELS, description: 'R1: chosen now, never changeable.' })
  @IsIn(BILLING_MODELS)
  billingModel!: BillingModel;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description:
      'R7: the tenant the provider serves. Omit to link it to your tenant; `null` for a provider that serves only MFA servers.',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IdField()
  tenantId?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    example: '+14255550100',
    description: 'R23: caller ID for voice calls (E.164).',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(E164, { message: 'voiceCallerId must be an E.164 number such as +14255550100' })
  voiceCallerId?: string | null;

  @ApiPropertyOptional({ type: RecordFieldsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RecordFieldsDto)
  recordFields?: RecordFieldsDto;
}

export class UpdateProviderDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    enum: BILLING_MODELS,
    description: 'Accepted only when unchanged; any change is refused with 409 `billing_model_immutable` (R1).',
  })
  @IsOptional()
  @IsIn(BILLING_MODELS)
  billingModel?: BillingModel;

  @ApiPropertyOptional({ nullable: true, example: '+14255550100' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(E164, { message: 'voiceCallerId must be an E.164 number such as +14255550100' })
  voiceCallerId?: string | null;

  @ApiPropertyOptional({ type: RecordFieldsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RecordFieldsDto)
  recordFields?: RecordFieldsDto;
}

export class LinkProviderDto {
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description:
      'R8: the tenant the provider serves from now on: your own tenant, another tenant (with its `consentToken`), ' +
      'or `null` to unlink.',
  })
  @ValidateIf((_, v) => v !== null)
  @IdField()
  tenantId!: string | null;

  @ApiPropertyOptional({
    description: 'Needed to link to another tenant: the token that tenant created with POST /v1/link-consents.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  consentToken?: string;
}

export class ProviderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: BILLING_MODELS }) billingModel!: BillingModel;
  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The linked tenant, or null (R7).',
  })
  tenantId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) voiceCallerId!: string | null;
  @ApiProperty({ type: RecordFieldsDto }) recordFields!: RecordFieldSettings;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class ProviderPageDto {
  @ApiProperty({ type: [ProviderDto] }) items!: ProviderDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toProviderDto(p: ProviderRow): ProviderDto {
  return {
    id: p.id,
    name: p.name,
    billingModel: p.billingModel,
    tenantId: p.linkedTenantId,
    voiceCallerId: p.voiceCallerId,
    recordFields: mergeRecordFields(p.recordFields as Partial<RecordFieldSettings> | null, undefined),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}
