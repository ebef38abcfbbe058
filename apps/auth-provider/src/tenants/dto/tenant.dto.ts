import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { TenantRow } from '@twofold/tenancy/data-access';
import { DATA_REGIONS, DataRegionCode, TENANT_TIERS, TenantTierCode } from '@twofold/tenancy/contracts';

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
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
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
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
