import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { LinkConsentRow } from '@twofold/providers/data-access';
import { LINK_CONSENT_EXPIRY_HOURS } from '@twofold/providers/domain';
import { IdField } from '@twofold/platform/http';

export class CreateLinkConsentDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The other tenant’s provider this consent is for; omit for any one provider.',
  })
  @IsOptional()
  @IdField()
  providerId?: string;

  @ApiPropertyOptional({
    minimum: LINK_CONSENT_EXPIRY_HOURS.min,
    maximum: LINK_CONSENT_EXPIRY_HOURS.max,
    default: LINK_CONSENT_EXPIRY_HOURS.default,
  })
  @IsOptional()
  @IsInt()
  @Min(LINK_CONSENT_EXPIRY_HOURS.min)
  @Max(LINK_CONSENT_EXPIRY_HOURS.max)
  expiresInHours?: number;
}

export class LinkConsentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) providerId!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() expiresAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) usedAt!: Date | null;
  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The tenant that linked its provider.',
  })
  usedByTenantId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) revokedAt!: Date | null;
}

export class CreatedLinkConsentDto extends LinkConsentDto {
  @ApiProperty({ description: 'Give it to the provider’s owner; shown only here, stored as a hash, usable once.' })
  consentToken!: string;
}

export class LinkConsentPageDto {
  @ApiProperty({ type: [LinkConsentDto] }) items!: LinkConsentDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export const toLinkConsentDto = (c: LinkConsentRow): LinkConsentDto => ({
  id: c.id,
  providerId: c.providerId,
  createdAt: c.createdAt,
  expiresAt: c.expiresAt,
  usedAt: c.usedAt,
  usedByTenantId: c.usedByTenantId,
  revokedAt: c.revokedAt,
});
