import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { DeviceActivationRow } from '@twofold/directory/data-access';

export class ActivateDeviceDto {
  @ApiPropertyOptional({ maxLength: 100, example: 'Ann’s iPhone' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  deviceName?: string;
}

/**
 * Shown once: the app scans `otpauthUri` (it carries the TOTP seed) and keeps `deviceSecret`; neither
 * is ever shown again.
 */
export class DeviceActivationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'otpauth://totp/Twofold:ann%40contoso.example?secret=…&issuer=Twofold' })
  otpauthUri!: string;
  @ApiProperty({
    example: 'tfd_…',
    description:
      'Routes notifications to this activation (R26 device token). An address, not a credential: it appears in records and reports.',
  })
  deviceToken!: string;
  @ApiProperty({
    example: 'tfs_…',
    description:
      'The device’s secret: the app sends it with every app-notification answer (approve or deny). Shown once, stored sealed, never in records or reports.',
  })
  deviceSecret!: string;
}

export class DeviceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) deviceName!: string | null;
  @ApiProperty({ description: 'false once deactivated (R18: the app must be re-activated).' }) active!: boolean;
  @ApiProperty() activatedAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) deactivatedAt!: Date | null;
}

export class DeviceListDto {
  @ApiProperty({ type: [DeviceDto] }) items!: DeviceDto[];
}

export function toDeviceDto(d: DeviceActivationRow): DeviceDto {
  return {
    id: d.id,
    deviceName: d.deviceName,
    active: d.active,
    activatedAt: d.activatedAt,
    deactivatedAt: d.deactivatedAt,
  };
}
