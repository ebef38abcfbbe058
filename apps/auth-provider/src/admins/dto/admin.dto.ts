import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import type { AdminRow, InvitationRow, SessionRow } from '@twofold/tenancy/data-access';
import {
  ADMIN_PASSWORD_MAX,
  ADMIN_PASSWORD_MIN,
  ADMIN_ROLES,
  type AdminRole,
  invitationState,
} from '@twofold/tenancy/domain';

export class InviteAdminDto {
  @ApiProperty({ example: 'ana@contoso.example', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({
    enum: ADMIN_ROLES,
    description: 'docs/admin-roles.md. You can hand out only a role whose permissions you hold.',
  })
  @IsIn(ADMIN_ROLES)
  role!: AdminRole;
}

export class AdminInvitationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ADMIN_ROLES }) role!: string;
  @ApiProperty({ enum: ['pending', 'accepted', 'revoked', 'expired'] }) state!: string;
  @ApiProperty() expiresAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) acceptedAt!: Date | null;
  @ApiProperty() createdAt!: Date;
}

export class CreatedAdminInvitationDto extends AdminInvitationDto {
  @ApiProperty({
    description:
      'The one-time invitation token (`tfi_…`). Shown only in this response; we keep only its hash. Send it to the ' +
      'invited person by any channel; they accept it once, before `expiresAt`.',
  })
  token!: string;
}

export class AdminInvitationListDto {
  @ApiProperty({ type: [AdminInvitationDto] }) items!: AdminInvitationDto[];
}

export class AcceptInvitationDto {
  @ApiProperty({ description: 'The invitation token.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  token!: string;

  @ApiProperty({ minLength: ADMIN_PASSWORD_MIN, maxLength: ADMIN_PASSWORD_MAX })
  @IsString()
  @MinLength(ADMIN_PASSWORD_MIN)
  @MaxLength(ADMIN_PASSWORD_MAX)
  password!: string;
}

export class AdminDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ADMIN_ROLES }) role!: string;
  @ApiProperty({ description: 'False until the first sign-in with a valid TOTP code.' }) totpEnrolled!: boolean;
  @ApiProperty() createdAt!: Date;
}

export class AdminListDto {
  @ApiProperty({ type: [AdminDto] }) items!: AdminDto[];
}

export class TotpEnrolmentDto {
  @ApiProperty({ description: 'The TOTP seed in base32 (shown once): SHA1, 6 digits, 30 s.' }) secret!: string;
  @ApiProperty({ description: 'The same as an otpauth:// URI, for a QR code.' }) otpauthUri!: string;
}

export class AcceptedInvitationDto {
  @ApiProperty({ type: AdminDto }) admin!: AdminDto;
  @ApiProperty({
    type: TotpEnrolmentDto,
    description: 'Add it to an authenticator app; the first sign-in with its code enrols it.',
  })
  totp!: TotpEnrolmentDto;
}

export class UpdateAdminDto {
  @ApiProperty({ enum: ADMIN_ROLES })
  @IsIn(ADMIN_ROLES)
  role!: AdminRole;
}

export class SignInDto {
  @ApiProperty({ maxLength: 254 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ maxLength: ADMIN_PASSWORD_MAX })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ADMIN_PASSWORD_MAX)
  password!: string;

  @ApiProperty({ example: '123456', description: 'The current code of the enrolled authenticator app.' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Needed only when the same e-mail is an admin of several tenants.',
  })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

export class AdminSessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ description: 'The last request (to the minute); the idle timeout runs from here.' }) lastSeenAt!: Date;
  @ApiProperty({ description: 'The absolute timeout.' }) expiresAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: String }) ipAddress!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) userAgent!: string | null;
  @ApiProperty({ description: 'This request’s own session.' }) current!: boolean;
}

export class AdminSessionListDto {
  @ApiProperty({ type: [AdminSessionDto] }) items!: AdminSessionDto[];
}

export class SignedInDto {
  @ApiProperty({ type: AdminSessionDto }) session!: AdminSessionDto;
  @ApiProperty({ type: AdminDto }) admin!: AdminDto;
  @ApiProperty({
    description:
      'Send it as `X-CSRF-Token` on every request made with the session cookie that changes something ' +
      '(docs/decisions/0031). `GET /v1/admin-sessions/current` returns it again.',
  })
  csrfToken!: string;
}

export class CurrentSessionDto {
  @ApiProperty({ type: AdminSessionDto }) session!: AdminSessionDto;
  @ApiProperty({ type: AdminDto }) admin!: AdminDto;
  @ApiProperty({ description: 'The session’s CSRF token.' }) csrfToken!: string;
  @ApiProperty({ type: [String], description: 'The permissions of the admin’s role (docs/admin-roles.md).' })
  permissions!: string[];
}

export const toAdminDto = (a: AdminRow): AdminDto => ({
  id: a.id,
  tenantId: a.tenantId,
  email: a.email,
  role: a.role,
  totpEnrolled: a.totpEnrolledAt !== null,
  createdAt: a.createdAt,
});

export const toInvitationDto = (i: InvitationRow, now: Date): AdminInvitationDto => ({
  id: i.id,
  email: i.email,
  role: i.role,
  state: invitationState(i, now),
  expiresAt: i.expiresAt,
  acceptedAt: i.acceptedAt,
  createdAt: i.createdAt,
});

export const toSessionDto = (s: SessionRow, currentId: string | null): AdminSessionDto => ({
  id: s.id,
  createdAt: s.createdAt,
  lastSeenAt: s.lastSeenAt,
  expiresAt: s.expiresAt,
  ipAddress: s.ipAddress,
  userAgent: s.userAgent,
  current: s.id === currentId,
});
