import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PERMISSIONS } from '@twofold/tenancy/domain';
import type { ApiKeyRow } from '@twofold/tenancy/data-access';

export class CreateApiKeyDto {
  @ApiProperty({ maxLength: 100, example: 'CI deploy key' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({
    type: [String],
    enum: PERMISSIONS,
    description:
      'The permissions the key holds (docs/admin-roles.md). Omitted: every permission its creator holds. An app ' +
      'server that only starts and checks authentications needs `["authentications:write"]`.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @ArrayUnique()
  @IsIn(PERMISSIONS, { each: true })
  scopes?: string[];
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The first characters of the key, to tell keys apart.', example: 'tfk_a1B2c3' })
  prefix!: string;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) lastUsedAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) revokedAt!: Date | null;
  @ApiProperty({ type: [String], enum: PERMISSIONS, description: 'The permissions the key holds.' })
  scopes!: string[];
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself. Shown only in this response; we keep only its hash.' })
  apiKey!: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyDto] }) items!: ApiKeyDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toApiKeyDto(k: ApiKeyRow): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
    scopes: k.scopes,
  };
}
