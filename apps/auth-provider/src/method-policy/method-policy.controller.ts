import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';

import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { MethodPolicyDto, UpdateMethodPolicyDto } from './dto/method-policy.dto';
import { MethodPolicyService } from './method-policy.service';

@ApiTags('methods')
@RequiresKey('tenant')
@RequiresPermission({ read: 'settings:read', write: 'settings:write' })
@Controller('method-policy')
export class MethodPolicyController {
  constructor(private readonly policy: MethodPolicyService) {}

  @Get()
  @ApiOperation({ summary: 'Every method with whether the tenant allows it (R20; R9 on the free tier).' })
  @ApiOkResponse({ type: MethodPolicyDto })
  get(@Ctx() ctx: RequestCtx): Promise<MethodPolicyDto> {
    return this.policy.get(ctx.tenantId);
  }

  @Patch()
  @ApiOperation({
    summary:
      'Enable or disable methods for the tenant. Users whose default method is disabled get registration reason `method_disabled` (R20).',
  })
  @ApiOkResponse({ type: MethodPolicyDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`free_tier_method_not_allowed` (R9)' })
  update(@Ctx() ctx: RequestCtx, @Body() body: UpdateMethodPolicyDto): Promise<MethodPolicyDto> {
    return this.policy.update(ctx.tenantId, body, actorOf(ctx.principal), ctx.correlationId);
  }
}
