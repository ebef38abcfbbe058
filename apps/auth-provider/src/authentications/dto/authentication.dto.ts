import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsIP, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { AuthenticationView } from '../authentications.service';
import { AcceptedBySchema, IdField } from '@twofold/platform/http';
import { AUTH_METHODS, AuthMethod } from '@twofold/directory/contracts';

/**
 * The hot routes' bodies skip class-validator when these schemas accept them (decision 0030); each
 * accepts a subset of what the decorators below accept, anything else is validated by them as before.
 * Keep the two in step: apps/auth-provider/test/validation-fast-path.test.ts compares both paths.
 */
@AcceptedBySchema({
  type: 'object',
  additionalProperties: false,
  properties: {
    userId: { type: 'string', format: 'uuid-any-version' },
    userName: { type: 'string', minLength: 1, maxLength: 256 },
    method: { type: 'string', enum: [...AUTH_METHODS] },
    providerId: { type: 'string', format: 'uuid-any-version' },
    clientIp: { type: 'string', format: 'ip-any-version' },
    primaryPassword: { type: 'boolean' },
  },
  // userId is checked only without userName (@ValidateIf): one of the two must be there.
  anyOf: [{ required: ['userName'] }, { required: ['userId'] }],
})
export class StartAuthenticationDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The user (or give `userName`).' })
  @ValidateIf((o: StartAuthenticationDto) => o.userName === undefined)
  @IdField()
  userId?: string;

  @ApiPropertyOptional({ description: 'The user’s sign-in name, instead of `userId` (what MFA servers know).' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  userName?: string;

  @ApiPropertyOptional({ enum: AUTH_METHODS, description: 'Defaults to the user’s default method.' })
  @IsOptional()
  @IsIn(AUTH_METHODS)
  method?: AuthMethod;

  @ApiPropertyOptional({ format: 'uuid', description: 'Needed when the tenant has several providers.' })
  @IsOptional()
  @IdField()
  providerId?: string;

  @ApiPropertyOptional({ description: 'R26: the end user’s IP address, as the calling application saw it.' })
  @IsOptional()
  @IsIP()
  clientIp?: string;

  @ApiPropertyOptional({
    description:
      'R17 (method app_password): the non-browser client sent the account’s normal password. On an MFA-enabled account the sign-in is denied with `app_password_required`.',
  })
  @IsOptional()
  @IsBoolean()
  primaryPassword?: boolean;
}

@AcceptedBySchema({
  type: 'object',
  additionalProperties: false,
  properties: {
    code: { type: 'string', maxLength: 64 },
    approve: { type: 'boolean' },
    deviceToken: { type: 'string', maxLength: 100 },
    deviceSecret: { type: 'string', maxLength: 100 },
  },
})
export class VerifyAuthenticationDto {
  @ApiPropertyOptional({
    description: 'The code (sms, voice, app_code, oath_token) or the app password.',
    maxLength: 64,
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  code?: string;

  @ApiPropertyOptional({ description: 'app_notification: the device’s answer.' })
  @IsOptional()
  @IsBoolean()
  approve?: boolean;

  @ApiPropertyOptional({
    description: 'app_notification: the answering device’s push token (which device answers).',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  deviceToken?: string;

  @ApiPropertyOptional({
    description:
      'app_notification: the device secret issued at activation (proves the answer; the push token alone does not). Required to approve or deny.',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  deviceSecret?: string;
}

export class ResendAuthenticationDto {
  @ApiPropertyOptional({
    enum: AUTH_METHODS,
    description: 'R14: switch to another registered method; omit to resend.',
  })
  @IsOptional()
  @IsIn(AUTH_METHODS)
  method?: AuthMethod;
}

export const DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'undelivered', 'failed', 'refused'] as const;

/** One SMS or call of an authentication (docs/decisions/0019). */
export class DeliveryDto {
  @ApiProperty({ enum: ['sms', 'voice'] }) channel!: 'sms' | 'voice';
  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description:
      '`refused`: the platform did not send it (errorCode says why: toll_fraud_risk, toll_free_sms, ' +
      'no_route_for_country, invalid_number, country_not_allowed); `failed`/`undelivered`: the carrier could not (errorCode is ' +
      'Twilio’s, e.g. 21211, 21610, 21612, 21408, 30003).',
  })
  status!: (typeof DELIVERY_STATUSES)[number];
  @ApiPropertyOptional({ nullable: true, type: String }) errorCode!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Short code, long code, sender id or caller ID.' })
  sender!: string | null;
  @ApiProperty() updatedAt!: Date;
}

export class AuthenticationDto implements AuthenticationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['pending', 'approved', 'denied'] }) status!: 'pending' | 'approved' | 'denied';
  @ApiProperty({ enum: AUTH_METHODS }) method!: AuthMethod;
  @ApiProperty() expiresAt!: Date;
  @ApiPropertyOptional({
    description:
      'Why denied: expired, too_many_attempts, wrong_server, invalid_code, account_not_activated, app_password_required, app_passwords_not_allowed (R17: the tenant stopped allowing app passwords), denied_by_user. Records (R26) also know user_deleted: the user was deleted while the authentication was pending.',
  })
  reason?: AuthenticationView['reason'];
  @ApiProperty({ description: 'False while a wrong code still leaves tries (the authentication stays pending).' })
  final!: boolean;
  @ApiPropertyOptional() attemptsRemaining?: number;
  @ApiPropertyOptional({
    type: DeliveryDto,
    nullable: true,
    description: 'GET, sms/voice: the outcome of the latest message (R24).',
  })
  delivery?: DeliveryDto | null;
  @ApiPropertyOptional({
    type: [DeliveryDto],
    description: 'GET, sms/voice: every message of the authentication in order; a voice fallback is the second.',
  })
  deliveries?: DeliveryDto[];
}
