import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { DirectoryErrorCode, UserErrorCode } from '@twofold/directory/domain';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ActivateDeviceDto, DeviceActivationDto, DeviceListDto, toDeviceDto } from './dto/device.dto';
import { DevicesService } from './devices.service';

const UserId = () => IdParam('id', UserErrorCode.UserNotFound, 'The user');
const DeviceId = () => IdParam('deviceId', DirectoryErrorCode.DeviceNotFound, 'The device activation');

@ApiTags('devices')
@RequiresKey('tenant')
@RequiresPermission({ read: 'users:read', write: 'users:write' })
@Controller('users/:id/devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Activate the authenticator app (R11): returns the otpauth URI (shown once) and the device token, and registers app_notification and app_code.',
  })
  @ApiCreatedResponse({ type: DeviceActivationDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`method_disabled` when the app methods are disabled' })
  activate(
    @Ctx() ctx: RequestCtx,
    @UserId() id: string,
    @Body() body: ActivateDeviceDto,
  ): Promise<DeviceActivationDto> {
    return this.devices.activate(ctx.tenantId, id, body.deviceName, actorOf(ctx.principal), ctx.correlationId);
  }

  @Get()
  @ApiOperation({ summary: 'The user’s activations, active or not (metadata only, never the seed).' })
  @ApiOkResponse({ type: DeviceListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`' })
  async list(@Ctx() ctx: RequestCtx, @UserId() id: string): Promise<DeviceListDto> {
    return { items: (await this.devices.list(ctx.tenantId, id)).map(toDeviceDto) };
  }

  @Delete(':deviceId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Deactivate an activation (kept, never reused; R18).' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`user_not_found`, `device_not_found`' })
  async deactivate(@Ctx() ctx: RequestCtx, @UserId() id: string, @DeviceId() deviceId: string): Promise<void> {
    await this.devices.deactivate(ctx.tenantId, id, deviceId, actorOf(ctx.principal), ctx.correlationId);
  }
}
