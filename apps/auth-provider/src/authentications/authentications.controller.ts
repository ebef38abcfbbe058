import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { AuthenticationErrorCode } from '@twofold/authentication/domain';
import { CurrentPrincipal, Principal, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { CorrelationId, IdParam } from '@twofold/platform/http';
import { ErrorResponseDto } from '../common/error-response.dto';
import { AuthenticationsService, Caller } from './authentications.service';
import {
  AuthenticationDto,
  ResendAuthenticationDto,
  StartAuthenticationDto,
  VerifyAuthenticationDto,
} from './dto/authentication.dto';

const DESTINATION_400 =
  '`phone_number_not_allowed` with `reason` (premium_rate, shared_cost, personal_number, uan, pager, voicemail, ' +
  'non_geographic, toll_free_sms, invalid): the stored number may not receive codes (docs/decisions/0019)';
const DESTINATION_409 =
  '`country_not_allowed` (not in the tenant’s deliveryCountries), `no_route_for_country` (no SMS sender for it)';
const LIMITS_429 =
  '`send_limit_reached` or `user_locked_out`, or `sms_velocity_exceeded` (the tenant’s hourly cap for the ' +
  'destination country, or a burst of different numbers under one prefix), with Retry-After';

const AuthenticationId = () => IdParam('id', AuthenticationErrorCode.AuthenticationNotFound, 'The authentication');

function callerOf(principal: Principal): Caller {
  if (principal.kind === 'mfa_server') {
    return { tenantId: principal.tenantId, serverId: principal.serverId, serverProviderId: principal.providerId };
  }
  if (principal.kind === 'tenant' || principal.kind === 'admin')
    return { tenantId: principal.tenantId, serverId: null, serverProviderId: null };
  throw new Error('operator principal on the authentication API');
}

/** The API applications and MFA servers call to put a second factor in front of a sign-in. */
@ApiTags('authentications')
@RequiresKey('tenant', 'mfa_server')
@RequiresPermission('authentications:write')
@Controller('authentications')
export class AuthenticationsController {
  constructor(private readonly authentications: AuthenticationsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Start an authentication. sms/voice send a code (at most 5 per user per 5 minutes, R13); app methods and tokens wait for a code or answer.',
  })
  @ApiCreatedResponse({ type: AuthenticationDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: DESTINATION_400 })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`, `provider_not_found`' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description:
      '`method_not_registered`, `method_disabled`, `free_tier_method_not_allowed`, `no_phone_number`, ' +
      '`app_passwords_not_allowed` (R17: method app_password while the tenant does not allow app passwords), ' +
      DESTINATION_409,
  })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: LIMITS_429 })
  start(
    @CurrentPrincipal() principal: Principal,
    @Body() body: StartAuthenticationDto,
    @CorrelationId() correlationId: string,
  ): Promise<AuthenticationDto> {
    return this.authentications.start(callerOf(principal), body, correlationId);
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'The authentication’s state; a finished one keeps answering its result. For sms/voice, `delivery` and ' +
      '`deliveries` show every message’s outcome (queued, sent, delivered, undelivered, failed, refused).',
  })
  @ApiOkResponse({ type: AuthenticationDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@CurrentPrincipal() principal: Principal, @AuthenticationId() id: string): Promise<AuthenticationDto> {
    return this.authentications.get(callerOf(principal), id);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check a code (or a device’s approve/deny). A code verifies once; 5 wrong codes deny (R13).',
  })
  @ApiOkResponse({ type: AuthenticationDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description:
      '`user_locked_out`, or `key_derivation_busy` (an app password while too many are being checked; nothing was counted), with Retry-After',
  })
  verify(
    @CurrentPrincipal() principal: Principal,
    @AuthenticationId() id: string,
    @Body() body: VerifyAuthenticationDto,
  ): Promise<AuthenticationDto> {
    return this.authentications.verify(callerOf(principal), id, body);
  }

  @Post(':id/resend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'R14: a new code, or another registered method, in the same authentication (not billed again, R2).',
  })
  @ApiOkResponse({ type: AuthenticationDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: DESTINATION_400 })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`authentication_closed`, ' + DESTINATION_409 })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: LIMITS_429 })
  resend(
    @CurrentPrincipal() principal: Principal,
    @AuthenticationId() id: string,
    @Body() body: ResendAuthenticationDto,
    @CorrelationId() correlationId: string,
  ): Promise<AuthenticationDto> {
    return this.authentications.resend(callerOf(principal), id, body.method, correlationId);
  }
}
