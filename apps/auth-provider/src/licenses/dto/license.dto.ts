import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import type { LicenseAssignmentRow, LicensePoolRow } from '@twofold/directory/data-access';
import { IdField } from '@twofold/platform/http';

/** With the platform operator's key: the tenant the pool is for (R4, decision 0018). */
export class OperatorTenantQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The tenant (platform operator key only).' })
  @IsOptional()
  @IdField()
  tenantId?: string;
}

export class CreateLicensePoolDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The tenant the seats were sold to (required: operator key).' })
  @IsOptional()
  @IdField()
  tenantId?: string;

  @ApiPropertyOptional({ maxLength: 200, nullable: true, example: 'FY27 annual seats' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(200)
  name?: string | null;

  @ApiProperty({ minimum: 0, maximum: 10_000_000, example: 250 })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  seats!: number;

  @ApiProperty({ example: '2026-01-01T00:00:00Z', description: 'The term is [termStart, termEnd) in UTC.' })
  @IsDateString({ strict: true })
  termStart!: string;

  @ApiProperty({ example: '2027-01-01T00:00:00Z' })
  @IsDateString({ strict: true })
  termEnd!: string;
}

export class UpdateLicensePoolDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The tenant of the pool (operator key, to change seats or term).',
  })
  @IsOptional()
  @IdField()
  tenantId?: string;

  @ApiPropertyOptional({ maxLength: 200, nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 10_000_000, description: 'Never below the seats assigned.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  seats?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsDateString({ strict: true })
  termStart?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsDateString({ strict: true })
  termEnd?: string;
}

export class AssignLicenseDto {
  @ApiProperty({ format: 'uuid' })
  @IdField()
  userId!: string;
}

export class BulkAssignLicensesDto {
  @ApiProperty({ type: [String], maxItems: 10_000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IdField({ each: true })
  userIds!: string[];
}

export class LicensePoolDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) name!: string | null;
  @ApiProperty() seats!: number;
  @ApiProperty({ description: 'Seats assigned now.' }) assigned!: number;
  @ApiProperty({ description: 'seats - assigned' }) free!: number;
  @ApiProperty() termStart!: Date;
  @ApiProperty() termEnd!: Date;
  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The Stripe purchase these seats were bought with; null for a sales-led pool.',
  })
  purchaseId!: string | null;
  @ApiProperty({ description: 'The term covers now: its seats license their users.' }) inForce!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class LicensePoolPageDto {
  @ApiProperty({ type: [LicensePoolDto] }) items!: LicensePoolDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class LicenseAssignmentDto {
  @ApiProperty({ format: 'uuid' }) poolId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() assignedAt!: Date;
}

export class LicenseAssignmentPageDto {
  @ApiProperty({ type: [LicenseAssignmentDto] }) items!: LicenseAssignmentDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class BulkAssignResultDto {
  @ApiProperty({ description: '1-based position in `userIds`.' }) line!: number;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ enum: ['assigned', 'rejected'] }) status!: 'assigned' | 'rejected';
  @ApiPropertyOptional({
    description: 'Why not: user_not_found, user_already_licensed, no_free_seats, duplicate_in_request.',
  })
  code?: string;
}

export class BulkAssignResponseDto {
  @ApiProperty() assigned!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty({ type: [BulkAssignResultDto] }) results!: BulkAssignResultDto[];
}

export class LicenseSummaryDto {
  @ApiProperty({ description: 'Seats of pools in force now.' }) seatsInForce!: number;
  @ApiProperty() assignedInForce!: number;
  @ApiProperty({ description: 'MFA-enabled users without a license in force (billed by a per_user provider, R3/R4).' })
  enabledUnlicensed!: number;
}

export function toPoolDto(p: LicensePoolRow, now: Date): LicensePoolDto {
  return {
    id: p.id,
    name: p.name,
    seats: p.seats,
    assigned: p.assignedCount,
    free: p.seats - p.assignedCount,
    termStart: p.termStart,
    termEnd: p.termEnd,
    purchaseId: p.purchaseId,
    inForce: p.termStart <= now && now < p.termEnd,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export const toAssignmentDto = (a: LicenseAssignmentRow): LicenseAssignmentDto => ({
  poolId: a.poolId,
  userId: a.userId,
  assignedAt: a.assignedAt,
});
