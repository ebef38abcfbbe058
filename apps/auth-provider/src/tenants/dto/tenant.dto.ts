import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { DEFAULT_DELIVERY_COUNTRIES, HIGH_RISK_COUNTRIES } from '@twofold/delivery/contracts';
import type { TenantRow } from '@twofold/tenancy/data-access';
import { DATA_REGIONS, DataRegionCode, TENANT_TIERS, TenantTierCode } from '@twofold/tenancy/contracts';
import { TENANT_STATES, TenantState, tenantState } from '@twofold/tenancy/domain';

export class CreateTenantDto {
  @ApiProperty({ maxLength: 200, example: 'Contoso' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: DATA_REGIONS, description: 'Where the tenant’s records are kept (R27). Cannot change.' })
  @IsIn(DATA_REGIONS)
  dataRegion!: DataRegionCode;

  @ApiPropertyOptional({ enum: TENANT_TIERS, default: 'standard', description: '`free` = security defaults (R9).' })
  @IsOptional()
  @IsIn(TENANT_TIERS)
  tier?: TenantTierCode;
}

export class UpdateTenantDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'Whether users may create app passwords (R17).' })
  @IsOptional()
  @IsBoolean()
  appPasswordsAllowed?: boolean;

  @ApiPropertyOptional({ description: 'Accept imported OATH token secrets shorter than 128 bits (legacy, R25).' })
  @IsOptional()
  @IsBoolean()
  weakOathSecretsAllowed?: boolean;

  @ApiPropertyOptional({
    type: [String],
    example: ['US', 'CA', 'GB'],
    description:
      'ISO 3166-1 alpha-2 countries SMS and voice codes may reach (docs/decisions/0019); an authentication to ' +
      'another country is refused with 409 `country_not_allowed`. New tenants get ' +
      `${DEFAULT_DELIVERY_COUNTRIES.join(', ')}. High-risk countries (${HIGH_RISK_COUNTRIES.join(', ')}) are ` +
      'allowed only by naming each one; every such addition is audited (`tenant.delivery_countries.high_risk`).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(250)
  @ArrayUnique()
  @Matches(/^[A-Z]{2}$/, { each: true, message: 'each country must be an ISO 3166-1 alpha-2 code in capitals' })
  deliveryCountries?: string[];

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    description:
      'SMS and voice codes per destination country in any rolling hour (429 `sms_velocity_exceeded` above it). ' +
      'null = the platform default (SMS_VELOCITY_DEFAULT_PER_HOUR, 300); at most the operator ceiling ' +
      '(SMS_VELOCITY_MAX_PER_HOUR, 5,000).',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  smsVelocityPerHour?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'US',
    description:
      'Region in which phone numbers typed without + and country code are read (default US); null = such ' +
      'numbers are refused.',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'phoneDefaultRegion must be an ISO 3166-1 alpha-2 code in capitals' })
  phoneDefaultRegion?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    description:
      'Days authentication records are kept (docs/decisions/0025); older records are purged. null = the ' +
      'platform default (RECORD_RETENTION_DAYS_DEFAULT, 400). Outside the operator bounds ' +
      '(RECORD_RETENTION_DAYS_MIN/_MAX, 90 to 3,650 by default) it is refused with 400 `retention_out_of_bounds`.',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  recordRetentionDays?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    description:
      'Days audit entries are kept; null = the platform default (AUDIT_RETENTION_DAYS_DEFAULT, 730). Outside ' +
      'AUDIT_RETENTION_DAYS_MIN/_MAX (90 to 3,650 by default): 400 `retention_out_of_bounds`.',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  auditRetentionDays?: number | null;

  @ApiPropertyOptional({
    enum: DATA_REGIONS,
    description: 'Accepted only when unchanged; a change is refused with 409.',
  })
  @IsOptional()
  @IsIn(DATA_REGIONS)
  dataRegion?: DataRegionCode;
}

export class TenantDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: DATA_REGIONS }) dataRegion!: DataRegionCode;
  @ApiProperty({ enum: TENANT_TIERS }) tier!: TenantTierCode;
  @ApiProperty() appPasswordsAllowed!: boolean;
  @ApiProperty() weakOathSecretsAllowed!: boolean;
  @ApiProperty({ type: [String], description: 'Where SMS and voice codes may go (docs/decisions/0019).' })
  deliveryCountries!: string[];
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'null = the platform default.' })
  smsVelocityPerHour!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Region for numbers typed without +.' })
  phoneDefaultRegion!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Days records are kept; null = the platform default.',
  })
  recordRetentionDays!: number | null;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Days audit entries are kept; null = the default.',
  })
  auditRetentionDays!: number | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiProperty({
    enum: TENANT_STATES,
    description:
      'docs/decisions/0026: `suspended` and `deletion_scheduled` refuse every credential of the tenant (403 ' +
      '`tenant_suspended`); `deleting` = grace over, waiting for its usage to reach Stripe; `deleted` = a tombstone.',
  })
  state!: TenantState;
  @ApiPropertyOptional({ nullable: true, type: Date }) suspendedAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String }) suspensionReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Date, description: 'When the deletion may start; resume cancels it.' })
  deletionDueAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) deletedAt!: Date | null;
}

export class SuspendTenantDto {
  @ApiProperty({ maxLength: 500, example: 'unpaid invoices', description: 'Why (kept on the tenant and audited).' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class CreatedTenantDto extends TenantDto {
  @ApiProperty({ description: 'The tenant’s first admin API key. Shown only in this response.' })
  apiKey!: string;
}

export function toTenantDto(t: TenantRow): TenantDto {
  return {
    id: t.id,
    name: t.name,
    dataRegion: t.dataRegion,
    tier: t.tier,
    appPasswordsAllowed: t.appPasswordsAllowed,
    weakOathSecretsAllowed: t.weakOathSecretsAllowed,
    deliveryCountries: t.deliveryCountries,
    smsVelocityPerHour: t.smsVelocityPerHour,
    phoneDefaultRegion: t.phoneDefaultRegion,
    recordRetentionDays: t.recordRetentionDays,
    auditRetentionDays: t.auditRetentionDays,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    state: tenantState(t),
    suspendedAt: t.suspendedAt,
    suspensionReason: t.suspensionReason,
    deletionDueAt: t.deletionDueAt,
    deletedAt: t.deletedAt,
  };
}
