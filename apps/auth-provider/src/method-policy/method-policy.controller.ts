import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequiresKey, TenantId } from '@twofold/platform/auth';
import { CorrelationId } from '@twofold/platform/http';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { MethodPolicyDto, UpdateMethodPolicyDto } from './dto/method-policy.dto';
import { MethodPolicyService } from './method-policy.service';

@ApiTags('methods')
@RequiresKey('tenant')
@Controller('method-policy')
export class MethodPolicyController {
  constructor(private readonly policy: MethodPolicyService) {}

  @Get()
  @ApiOperation({ summary: 'Every method with whether the tenant allows it (R20; R9 on the free tier).' })
  @ApiOkResponse({ type: MethodPolicyDto })
  get(@TenantId() tenantId: string): Promise<MethodPolicyDto> {
    return this.policy.get(tenantId);
  }

  @Patch()
  @ApiOperation({
    summary:
      'Enable or disable methods for the tenant. Users whose default method is disabled get registration reason `method_disabled` (R20).',
  })
  @ApiOkResponse({ type: MethodPolicyDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`free_tier_method_not_allowed` (R9)' })
  update(
    @TenantId() tenantId: string,
    @Body() body: UpdateMethodPolicyDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<MethodPolicyDto> {
    return this.policy.update(tenantId, body, actorOf(principal), correlationId);
  }
}
