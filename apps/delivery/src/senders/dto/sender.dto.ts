import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import type { SenderRouteRow, ShortCodeRow } from '@twofold/delivery/data-access';

export class CreateShortCodeDto {
  @ApiProperty({ enum: ['US', 'CA'], description: 'Short codes serve only their own country (R21, R22).' })
  @IsIn(['US', 'CA'])
  country!: 'US' | 'CA';

  @ApiProperty({ example: '97671', description: '5 or 6 digits.' })
  @IsString()
  @Matches(/^[0-9]{5,6}$/, { message: 'code must be 5 or 6 digits' })
  code!: string;

  @ApiPropertyOptional({ nullable: true, description: 'Messages per second; null = the worker default.' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(100_000)
  rateLimitPerSecond?: number | null;
}

export class UpdateSenderDto {
  @ApiPropertyOptional({ description: 'A disabled sender is never picked; it stays listed.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(100_000)
  rateLimitPerSecond?: number | null;
}

export class CreateSenderRouteDto {
  @ApiProperty({ example: 'GB', description: 'ISO 3166-1 alpha-2; not US or CA (they use short codes).' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' })
  country!: string;

  @ApiProperty({ enum: ['long_code', 'alphanumeric'] })
  @IsIn(['long_code', 'alphanumeric'])
  kind!: 'long_code' | 'alphanumeric';

  @ApiProperty({ example: '+447400123456', description: 'E.164 long code, or 1-11 letters/digits (alphanumeric).' })
  @IsString()
  @Matches(/^(\+[1-9][0-9]{6,14}|[A-Za-z0-9 ]{1,11})$/, {
    message: 'sender must be an E.164 number or an alphanumeric sender of 1-11 characters',
  })
  sender!: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(100_000)
  rateLimitPerSecond?: number | null;
}

export class ShortCodeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['US', 'CA'] }) country!: string;
  @ApiProperty() code!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ nullable: true, type: Number }) rateLimitPerSecond!: number | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class SenderRouteDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() country!: string;
  @ApiProperty({ enum: ['long_code', 'alphanumeric'] }) kind!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ nullable: true, type: Number }) rateLimitPerSecond!: number | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export const toShortCodeDto = (r: ShortCodeRow): ShortCodeDto => ({ ...r });
export const toSenderRouteDto = (r: SenderRouteRow): SenderRouteDto => ({ ...r });
