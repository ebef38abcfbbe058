import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { ProviderErrorCode } from '@twofold/providers/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { PageQueryDto } from '../common/page.dto';
import {
  CreatedLinkConsentDto,
  CreateLinkConsentDto,
  LinkConsentPageDto,
  toLinkConsentDto,
} from './dto/link-consent.dto';
import { LinkConsentsService } from './link-consents.service';

const ConsentId = () => IdParam('id', ProviderErrorCode.LinkConsentNotFound, 'The link consent');

@ApiTags('providers')
@RequiresKey('tenant')
@RequiresPermission({ read: 'providers:read', write: 'providers:write' })
@Controller('link-consents')
export class LinkConsentsController {
  constructor(private readonly consents: LinkConsentsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Consent to have another tenant’s provider linked to this tenant (R8). Linking invalidates this tenant’s mobile app activations.',
  })
  @ApiCreatedResponse({ type: CreatedLinkConsentDto })
  async create(@Ctx() ctx: RequestCtx, @Body() body: CreateLinkConsentDto): Promise<CreatedLinkConsentDto> {
    const { consentToken, ...row } = await this.consents.create(
      ctx.tenantId,
      body,
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    return { ...toLinkConsentDto(row), consentToken };
  }

  @Get()
  @ApiOkResponse({ type: LinkConsentPageDto })
  async list(@Ctx() ctx: RequestCtx, @Query() query: PageQueryDto): Promise<LinkConsentPageDto> {
    const page = await this.consents.list(ctx.tenantId, query.limit ?? 50, query.cursor);
    return { items: page.items.map(toLinkConsentDto), nextCursor: page.nextCursor };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw an unused consent.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(@Ctx() ctx: RequestCtx, @ConsentId() id: string): Promise<void> {
    await this.consents.revoke(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }
}
