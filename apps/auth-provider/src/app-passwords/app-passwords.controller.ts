import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { DirectoryErrorCode, UserErrorCode } from '@twofold/directory/domain';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { AppPasswordsService } from './app-passwords.service';
import {
  AppPasswordListDto,
  CreateAppPasswordDto,
  CreatedAppPasswordDto,
  DeletedCountDto,
  toAppPasswordDto,
} from './dto/app-password.dto';

const UserId = () => IdParam('id', UserErrorCode.UserNotFound, 'The user');
const AppPasswordId = () => IdParam('appPasswordId', DirectoryErrorCode.AppPasswordNotFound, 'The app password');

@ApiTags('app-passwords')
@RequiresKey('tenant')
@RequiresPermission({ read: 'users:read', write: 'users:write' })
@Controller('users/:id/app-passwords')
export class AppPasswordsController {
  constructor(private readonly appPasswords: AppPasswordsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an app password for non-browser apps (R17); the password is shown once.' })
  @ApiCreatedResponse({ type: CreatedAppPasswordDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description:
      '`app_passwords_not_allowed` (R17), `app_password_limit_reached` (at most 10 per user), `method_disabled`, `free_tier_method_not_allowed`',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: '`key_derivation_busy` (with Retry-After): too many app passwords are being hashed at once.',
  })
  async create(
    @Ctx() ctx: RequestCtx,
    @UserId() id: string,
    @Body() body: CreateAppPasswordDto,
  ): Promise<CreatedAppPasswordDto> {
    const created = await this.appPasswords.create(
      ctx.tenantId,
      id,
      body.name,
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    return { id: created.id, name: created.name, createdAt: created.createdAt, password: created.password };
  }

  @Get()
  @ApiOperation({ summary: 'The user’s app passwords (metadata only).' })
  @ApiOkResponse({ type: AppPasswordListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  async list(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<AppPasswordListDto> {
    return { items: (await this.appPasswords.list(ctx.tenantId, id)).map(toAppPasswordDto) };
  }

  @Delete()
  @HttpCode(200)
  @ApiOperation({ summary: 'R16 lost phone: delete every app password of the user.' })
  @ApiOkResponse({ type: DeletedCountDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  async deleteAll(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<DeletedCountDto> {
    return { deleted: await this.appPasswords.deleteAll(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId) };
  }

  @Delete(':appPasswordId')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`, `app_password_not_found`' })
  async delete(@Ctx() ctx: RequestCtx, @UserId() id: string, @AppPasswordId() appPasswordId: string): Promise<void> {
    await this.appPasswords.delete(ctx.tenantId, id, appPasswordId, actorOf(ctx.principal), ctx.correlationId);
  }
}
