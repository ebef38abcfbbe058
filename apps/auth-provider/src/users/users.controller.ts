import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { UserErrorCode } from '@twofold/directory/domain';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import {
  BulkCreateUsersDto,
  BulkCreateUsersResultDto,
  CreateUserDto,
  ListUsersQueryDto,
  toUserDto,
  UpdateUserDto,
  UserDto,
  UserErasureDto,
  UserPageDto,
} from './dto/user.dto';
import { UserErasureService } from './user-erasure.service';
import { UsersService } from './users.service';

const UserId = () => IdParam('id', UserErrorCode.UserNotFound, 'The user');

@ApiTags('users')
@RequiresKey('tenant')
@RequiresPermission({ read: 'users:read', write: 'users:write' })
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly erasure: UserErasureService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a user. The phone number is stored in E.164.' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: '`validation_failed` naming the field; `phone_number_not_allowed` with `reason` (docs/decisions/0019)',
  })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`user_name_taken`' })
  async create(@Ctx() ctx: RequestCtx, @Body() body: CreateUserDto): Promise<UserDto> {
    const u = await this.users.create(ctx.tenantId, body, actorOf(ctx.principal), ctx.correlationId);
    return toUserDto(u, u.licensed);
  }

  @Post('bulk')
  @HttpCode(200)
  @RouteConfig({ bodyLimitBytes: 16 * 1024 * 1024 })
  @ApiOperation({
    summary: 'Create up to 10,000 users in one call, with a result per row (its 1-based line, created or why not).',
    description:
      'A row whose phone number is of a toll-fraud class is rejected with `phone_number_not_allowed` and its `reason`.',
  })
  @ApiOkResponse({ type: BulkCreateUsersResultDto })
  async bulk(@Ctx() ctx: RequestCtx, @Body() body: BulkCreateUsersDto): Promise<BulkCreateUsersResultDto> {
    const results = await this.users.createMany(ctx.tenantId, body.users, actorOf(ctx.principal), ctx.correlationId);
    const created = results.filter((r) => r.status === 'created').length;
    return { created, rejected: results.length - created, results };
  }

  @Get()
  @ApiOperation({ summary: 'List users, with filters (enabled, licensed, registrationRequired) and a cursor.' })
  @ApiOkResponse({ type: UserPageDto })
  async list(@Ctx() ctx: RequestCtx, @Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(ctx.tenantId, query);
    return { items: page.items.map((u) => toUserDto(u, u.licensed)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<UserDto> {
    const u = await this.users.get(ctx.tenantId, id);
    return toUserDto(u, u.licensed);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a user, including enabling or disabling MFA (R3: each change is recorded).' })
  @ApiOkResponse({ type: UserDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: '`validation_failed` naming the field; `phone_number_not_allowed` with `reason` (docs/decisions/0019)',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`user_name_taken`' })
  async update(@Ctx() ctx: RequestCtx, @UserId() id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    const u = await this.users.update(ctx.tenantId, id, body, actorOf(ctx.principal), ctx.correlationId);
    return toUserDto(u, u.licensed);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user. Its MFA history stays for billing; its hardware tokens return to stock.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<void> {
    await this.users.delete(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }

  @Post(':id/unlock')
  @HttpCode(204)
  @RequiresPermission('users:unlock')
  @ApiOperation({
    summary:
      'Unlock a user locked out by wrong codes (docs/decisions/0009): its failures are forgotten and the lock ends at once. Audited as `user.unlock`.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  async unlock(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<void> {
    await this.users.unlock(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }

  @Post(':id/erase')
  @RequiresPermission('users:erase')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erase a person: delete the user if still there, and pseudonymise their data everywhere it was kept.',
    description:
      'Issue 16 item 2 (docs/decisions/0025). Deletes the directory user if it still exists (as DELETE does), then ' +
      'replaces the person’s user name, first and last name, e-mail, phone number, device token and client IP with ' +
      '`[erased]` (the user name becomes `erased:<id>`) in their authentication records, in the audit entries that ' +
      'mention them and in the SMS/voice message log. Results, methods, times, user ids and billing stay exact. ' +
      'Works for a user deleted earlier with DELETE; an id this tenant never had answers 404. Repeating it changes ' +
      'nothing (all counts 0). The erasure is audited as `user.erase` with counts only.',
  })
  @ApiOkResponse({ type: UserErasureDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: '`erasure_rate_limited`: more than 60 erasures of this tenant in a minute; see Retry-After',
  })
  async erase(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<UserErasureDto> {
    return this.erasure.erase(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }
}
