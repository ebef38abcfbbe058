import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { TokenErrorCode } from '@twofold/tokens/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import {
  AssignOathTokenDto,
  IMPORT_BODY_LIMIT_BYTES,
  ImportOathTokensDto,
  ImportResponseDto,
  ListOathTokensQueryDto,
  OathTokenDto,
  OathTokenPageDto,
  toOathTokenDto,
} from './dto/oath-token.dto';
import type { MultipartRouteConfig } from './multipart';
import { OathTokensService } from './oath-tokens.service';

const TokenId = () => IdParam('id', TokenErrorCode.OathTokenNotFound, 'The OATH token');

@ApiTags('oath-tokens')
@RequiresKey('tenant')
@RequiresPermission({ read: 'tokens:read', write: 'tokens:write' })
@Controller('oath-tokens')
export class OathTokensController {
  constructor(private readonly tokens: OathTokensService) {}

  @Post('import')
  @HttpCode(200)
  @RouteConfig({ bodyLimitBytes: IMPORT_BODY_LIMIT_BYTES, multipart: true } satisfies MultipartRouteConfig)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    type: ImportOathTokensDto,
    description: 'JSON, or multipart/form-data with a `file` part instead of `content`.',
  })
  @ApiOperation({
    summary:
      'Import hardware OATH tokens from CSV or PSKC (R25), with a result per row or key. Valid tokens are written together or not at all; `dryRun` writes nothing.',
  })
  @ApiOkResponse({ type: ImportResponseDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description:
      'A file that cannot be read: `pskc_unsafe_xml`, `pskc_invalid`, `pskc_mac_invalid`, `pskc_key_required`, `pskc_decryption_failed`, `pskc_key_derivation_invalid` (PBKDF2 above 200,000 iterations or a key above 32 bytes), …',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description:
      '`key_derivation_busy` (with Retry-After): PBKDF2 files are derived one at a time per process, and a tenant has at most two running or waiting (docs/decisions/0020).',
  })
  async import(@Ctx() ctx: RequestCtx, @Body() body: ImportOathTokensDto): Promise<ImportResponseDto> {
    const { dryRun, results } = await this.tokens.import(ctx.tenantId, body, actorOf(ctx.principal), ctx.correlationId);
    const imported = results.filter((r) => r.status === 'imported').length;
    return { imported, rejected: results.length - imported, dryRun, results };
  }

  @Get()
  @ApiOperation({ summary: 'List hardware tokens (never their secrets), optionally only assigned or in stock.' })
  @ApiOkResponse({ type: OathTokenPageDto })
  async list(@Ctx() ctx: RequestCtx, @Query() query: ListOathTokensQueryDto): Promise<OathTokenPageDto> {
    const page = await this.tokens.list(ctx.tenantId, { assigned: query.assigned }, query.limit ?? 50, query.cursor);
    return { items: page.items.map(toOathTokenDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: OathTokenDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Ctx() ctx: RequestCtx, @TokenId() id: string): Promise<OathTokenDto> {
    return toOathTokenDto(await this.tokens.get(ctx.tenantId, id));
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Assign the token to a user (by id or user name); it becomes the user’s oath_token method.',
  })
  @ApiOkResponse({ type: OathTokenDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`oath_token_not_found`, `user_not_found`' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`oath_token_already_assigned`' })
  async assign(@Ctx() ctx: RequestCtx, @TokenId() id: string, @Body() body: AssignOathTokenDto): Promise<OathTokenDto> {
    return toOathTokenDto(await this.tokens.assign(ctx.tenantId, id, body, actorOf(ctx.principal), ctx.correlationId));
  }

  @Post(':id/unassign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Return the token to stock. The user’s last token gone, oath_token is no longer a method.' })
  @ApiOkResponse({ type: OathTokenDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`oath_token_not_assigned`' })
  async unassign(@Ctx() ctx: RequestCtx, @TokenId() id: string): Promise<OathTokenDto> {
    return toOathTokenDto(await this.tokens.unassign(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the token (unassigning it first if needed).' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@Ctx() ctx: RequestCtx, @TokenId() id: string): Promise<void> {
    await this.tokens.delete(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }
}
