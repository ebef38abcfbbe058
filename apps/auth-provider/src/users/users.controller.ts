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
import { CurrentPrincipal, Principal, RequiresKey, TenantId } from '@twofold/platform/auth';
import { CorrelationId, IdParam } from '@twofold/platform/http';
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
  async create(
    @TenantId() tenantId: string,
    @Body() body: CreateUserDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<UserDto> {
    const u = await this.users.create(tenantId, body, actorOf(principal), correlationId);
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
  async bulk(
    @TenantId() tenantId: string,
    @Body() body: BulkCreateUsersDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<BulkCreateUsersResultDto> {
    const results = await this.users.createMany(tenantId, body.users, actorOf(principal), correlationId);
    const created = results.filter((r) => r.status === 'created').length;
    return { created, rejected: results.length - created, results };
  }

  @Get()
  @ApiOperation({ summary: 'List users, with filters (enabled, licensed, registrationRequired) and a cursor.' })
  @ApiOkResponse({ type: UserPageDto })
  async list(@TenantId() tenantId: string, @Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(tenantId, query);
    return { items: page.items.map((u) => toUserDto(u, u.licensed)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@TenantId() tenantId: string, @UserId() id: string): Promise<UserDto> {
    const u = await this.users.get(tenantId, id);
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
  async update(
    @TenantId() tenantId: string,
    @UserId() id: string,
    @Body() body: UpdateUserDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<UserDto> {
    const u = await this.users.update(tenantId, id, body, actorOf(principal), correlationId);
    return toUserDto(u, u.licensed);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user. Its MFA history stays for billing; its hardware tokens return to stock.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(
    @TenantId() tenantId: string,
    @UserId() id: string,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    await this.users.delete(tenantId, id, actorOf(principal), correlationId);
  }

  @Post(':id/erase')
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
  async erase(
    @TenantId() tenantId: string,
    @UserId() id: string,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<UserErasureDto> {
    return this.erasure.erase(tenantId, id, actorOf(principal), correlationId);
  }
}
