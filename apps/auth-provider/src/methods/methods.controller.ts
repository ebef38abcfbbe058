import { Body, Controller, Delete, Get, HttpCode, Param, ParseEnumPipe, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { UserErrorCode } from '@twofold/directory/domain';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { ValidationError } from '@twofold/platform/errors';
import { IdParam } from '@twofold/platform/http';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import {
  MethodDto,
  MethodListDto,
  RegisterMethodDto,
  RegistrationDto,
  SetDefaultMethodDto,
  SetRegistrationRequirementsDto,
  toMethodDto,
} from './dto/method.dto';
import { MethodsService } from './methods.service';
import { AUTH_METHODS, AuthMethod } from '@twofold/directory/contracts';

const UserId = () => IdParam('id', UserErrorCode.UserNotFound, 'The user');

/** An unknown method in the path is a bad request naming the field, like one in a body. */
const MethodParam = () =>
  Param(
    'method',
    new ParseEnumPipe(Object.fromEntries(AUTH_METHODS.map((m) => [m, m])), {
      exceptionFactory: () =>
        new ValidationError([{ field: 'method', problems: [`method must be one of: ${AUTH_METHODS.join(', ')}`] }]),
    }),
  );

const CONFLICTS =
  '`method_already_registered`, `method_disabled` (R20), `free_tier_method_not_allowed` (R9), ' +
  '`device_activation_required`, `oath_token_required`, `app_passwords_not_allowed` (R17)';

@ApiTags('methods')
@RequiresKey('tenant')
@RequiresPermission({ read: 'users:read', write: 'users:write' })
@Controller('users/:id')
export class MethodsController {
  constructor(private readonly methods: MethodsService) {}

  @Get('methods')
  @ApiOperation({ summary: 'The user’s registered methods (R11) and default method.' })
  @ApiOkResponse({ type: MethodListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  async list(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<MethodListDto> {
    const list = await this.methods.list(ctx.tenantId, id);
    return { items: list.items.map(toMethodDto), defaultMethod: list.defaultMethod };
  }

  @Post('methods')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Register a method (R11). sms/voice need `phoneNumber` (E.164, R22); app methods need an activated authenticator app; oath_token an assigned token; app_password the tenant setting (R17).',
  })
  @ApiCreatedResponse({ type: MethodDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description:
      '`validation_failed` naming the field; `phone_number_not_allowed` with `reason` (premium_rate, shared_cost, ' +
      'personal_number, uan, pager, voicemail, non_geographic, toll_free_sms for sms; docs/decisions/0019)',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: CONFLICTS })
  async register(@Ctx() ctx: RequestCtx, @UserId() id: string, @Body() body: RegisterMethodDto): Promise<MethodDto> {
    return toMethodDto(await this.methods.register(ctx.tenantId, id, body, actorOf(ctx.principal), ctx.correlationId));
  }

  @Delete('methods/:method')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a registered method; the default moves to the next usable method.' })
  @ApiParam({ name: 'method', enum: AUTH_METHODS })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`, `method_not_found`' })
  async unregister(@Ctx() ctx: RequestCtx, @UserId() id: string, @MethodParam() method: AuthMethod): Promise<void> {
    await this.methods.unregister(ctx.tenantId, id, method, actorOf(ctx.principal), ctx.correlationId);
  }

  @Put('default-method')
  @ApiOperation({ summary: 'Set the default method: registered, allowed by the tenant policy, and interactive.' })
  @ApiOkResponse({ type: MethodListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`, `method_not_found`' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: '`method_disabled`, `free_tier_method_not_allowed`, `method_not_defaultable`',
  })
  async setDefault(
    @Ctx() ctx: RequestCtx,
    @UserId() id: string,
    @Body() body: SetDefaultMethodDto,
  ): Promise<MethodListDto> {
    const list = await this.methods.setDefault(
      ctx.tenantId,
      id,
      body.method,
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    return { items: list.items.map(toMethodDto), defaultMethod: list.defaultMethod };
  }

  @Get('registration')
  @ApiOperation({ summary: 'R19: whether the user must register security info, and why.' })
  @ApiOkResponse({ type: RegistrationDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  registration(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<RegistrationDto> {
    return this.methods.registrationStatus(ctx.tenantId, id);
  }

  @Put('registration-requirements')
  @ApiOperation({
    summary:
      'R19: set the policy-driven reasons (SSPR, conditional access, device registration, Windows Hello for Business, registration policy).',
  })
  @ApiOkResponse({ type: RegistrationDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  setRequirements(
    @Ctx() ctx: RequestCtx,
    @UserId() id: string,
    @Body() body: SetRegistrationRequirementsDto,
  ): Promise<RegistrationDto> {
    return this.methods.setRequirements(ctx.tenantId, id, body.reasons, actorOf(ctx.principal), ctx.correlationId);
  }

  @Post('reset')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'R15: clear methods, default, device activations and app passwords; the user must register again (`reset_by_admin`).',
  })
  @ApiOkResponse({ type: RegistrationDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  reset(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<RegistrationDto> {
    return this.methods.reset(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }
}
