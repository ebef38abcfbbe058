import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Ctx, permissionsOf, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { Clock } from '@twofold/platform/db';
import { CorrelationId, IdParam, Public } from '@twofold/platform/http';
import { AdminErrorCode } from '@twofold/tenancy/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { AdminsService } from './admins.service';
import {
  AcceptedInvitationDto,
  AcceptInvitationDto,
  AdminDto,
  AdminInvitationListDto,
  AdminListDto,
  CreatedAdminInvitationDto,
  InviteAdminDto,
  toAdminDto,
  toInvitationDto,
  UpdateAdminDto,
} from './dto/admin.dto';

const AdminId = () => IdParam('id', AdminErrorCode.AdminNotFound, 'The admin');
const InvitationId = () => IdParam('id', AdminErrorCode.InvitationNotFound, 'The invitation');

/** docs/decisions/0031: an owner (or a key with `admins:write`) invites admins by e-mail with a role. */
@ApiTags('admins')
@RequiresKey('tenant')
@RequiresPermission({ read: 'admins:read', write: 'admins:write' })
@Controller('admin-invitations')
export class AdminInvitationsController {
  constructor(
    private readonly admins: AdminsService,
    private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Invite an admin by e-mail with a role. The one-time token is shown once; it expires (ADMIN_INVITATION_TTL_HOURS).',
  })
  @ApiCreatedResponse({ type: CreatedAdminInvitationDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`admin_email_taken`' })
  async invite(@Ctx() ctx: RequestCtx, @Body() body: InviteAdminDto): Promise<CreatedAdminInvitationDto> {
    const { token, ...row } = await this.admins.invite(
      ctx.tenantId,
      body,
      permissionsOf(ctx.principal) ?? [],
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    return { ...toInvitationDto(row, this.clock.now()), token };
  }

  @Get()
  @ApiOperation({ summary: 'The tenant’s invitations and their state (pending, accepted, revoked, expired).' })
  @ApiOkResponse({ type: AdminInvitationListDto })
  async list(@Ctx() ctx: RequestCtx): Promise<AdminInvitationListDto> {
    const now = this.clock.now();
    return { items: (await this.admins.listInvitations(ctx.tenantId)).map((i) => toInvitationDto(i, now)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a pending invitation: its link stops working.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(@Ctx() ctx: RequestCtx, @InvitationId() id: string): Promise<void> {
    await this.admins.revokeInvitation(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }

  @Post('accept')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Accept an invitation: set a password and receive the TOTP seed (shown once). The first sign-in with a code ' +
      'from it enrols the second factor.',
  })
  @ApiOkResponse({ type: AcceptedInvitationDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: '`invitation_invalid` (unknown, used, revoked or expired: one answer for all), `validation_failed`',
  })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`admin_email_taken`' })
  async accept(
    @Body() body: AcceptInvitationDto,
    @CorrelationId() correlationId: string,
  ): Promise<AcceptedInvitationDto> {
    const { admin, totp } = await this.admins.accept(body, correlationId);
    return { admin: toAdminDto(admin), totp };
  }
}

@ApiTags('admins')
@RequiresKey('tenant')
@RequiresPermission({ read: 'admins:read', write: 'admins:write' })
@Controller('admins')
export class AdminsController {
  constructor(private readonly admins: AdminsService) {}

  @Get()
  @ApiOkResponse({ type: AdminListDto })
  async list(@Ctx() ctx: RequestCtx): Promise<AdminListDto> {
    return { items: (await this.admins.list(ctx.tenantId)).map(toAdminDto) };
  }

  @Get(':id')
  @ApiOkResponse({ type: AdminDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Ctx() ctx: RequestCtx, @AdminId() id: string): Promise<AdminDto> {
    return toAdminDto(await this.admins.get(ctx.tenantId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an admin’s role (audited). The last owner stays an owner.' })
  @ApiOkResponse({ type: AdminDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`last_owner`' })
  async update(@Ctx() ctx: RequestCtx, @AdminId() id: string, @Body() body: UpdateAdminDto): Promise<AdminDto> {
    return toAdminDto(
      await this.admins.changeRole(
        ctx.tenantId,
        id,
        body.role,
        permissionsOf(ctx.principal) ?? [],
        actorOf(ctx.principal),
        ctx.correlationId,
      ),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an admin: their sessions end at once. The last owner stays.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`last_owner`' })
  async remove(@Ctx() ctx: RequestCtx, @AdminId() id: string): Promise<void> {
    await this.admins.remove(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }
}
