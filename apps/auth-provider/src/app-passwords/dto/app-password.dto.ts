import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { AppPasswordRow } from '@twofold/directory/data-access';

export class CreateAppPasswordDto {
  @ApiProperty({ maxLength: 100, example: 'Outlook 2010 on the desk PC' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;
}

export class AppPasswordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) lastUsedAt!: Date | null;
}

export class CreatedAppPasswordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ description: 'Shown once; only a hash is kept.', example: 'xK7pQ4mWcR9tYvHa' }) password!: string;
}

export class AppPasswordListDto {
  @ApiProperty({ type: [AppPasswordDto] }) items!: AppPasswordDto[];
}

export class DeletedCountDto {
  @ApiProperty({ example: 3 }) deleted!: number;
}

export function toAppPasswordDto(p: AppPasswordRow): AppPasswordDto {
  return { id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt };
}
