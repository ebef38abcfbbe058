import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequiresKey } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { DeliveryErrorCode } from '../common/delivery.errors';
import {
  CreateSenderRouteDto,
  CreateShortCodeDto,
  SenderRouteDto,
  ShortCodeDto,
  toSenderRouteDto,
  toShortCodeDto,
  UpdateSenderDto,
} from './dto/sender.dto';
import { SendersService } from './senders.service';

/** Changes apply to the next message: the worker reads the pools for every message. */
@ApiTags('short-codes')
@Controller('short-codes')
@RequiresKey('operator')
export class ShortCodesController {
  constructor(private readonly senders: SendersService) {}

  @Get()
  @ApiOperation({ summary: 'List the US and Canadian short codes (operator key).' })
  @ApiOkResponse({ type: [ShortCodeDto] })
  async list(): Promise<ShortCodeDto[]> {
    return (await this.senders.listShortCodes()).map(toShortCodeDto);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a short code to its country’s pool (operator key).' })
  @ApiCreatedResponse({ type: ShortCodeDto })
  async add(@Body() body: CreateShortCodeDto): Promise<ShortCodeDto> {
    return toShortCodeDto(await this.senders.addShortCode(body));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Enable or disable a short code, or set its rate (operator key).' })
  @ApiOkResponse({ type: ShortCodeDto })
  async update(
    @IdParam('id', DeliveryErrorCode.ShortCodeNotFound, 'The short code') id: string,
    @Body() body: UpdateSenderDto,
  ): Promise<ShortCodeDto> {
    return toShortCodeDto(await this.senders.updateShortCode(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a short code: it is never picked again (operator key).' })
  @ApiNoContentResponse()
  async remove(@IdParam('id', DeliveryErrorCode.ShortCodeNotFound, 'The short code') id: string): Promise<void> {
    await this.senders.removeShortCode(id);
  }
}

@ApiTags('sender-routes')
@Controller('sender-routes')
@RequiresKey('operator')
export class SenderRoutesController {
  constructor(private readonly senders: SendersService) {}

  @Get()
  @ApiOperation({ summary: 'List the sender routes of countries outside the US and Canada (operator key).' })
  @ApiOkResponse({ type: [SenderRouteDto] })
  async list(): Promise<SenderRouteDto[]> {
    return (await this.senders.listRoutes()).map(toSenderRouteDto);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a long code or alphanumeric sender for a country (operator key).' })
  @ApiCreatedResponse({ type: SenderRouteDto })
  async add(@Body() body: CreateSenderRouteDto): Promise<SenderRouteDto> {
    return toSenderRouteDto(await this.senders.addRoute(body));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Enable or disable a route, or set its rate (operator key).' })
  @ApiOkResponse({ type: SenderRouteDto })
  async update(
    @IdParam('id', DeliveryErrorCode.SenderRouteNotFound, 'The sender route') id: string,
    @Body() body: UpdateSenderDto,
  ): Promise<SenderRouteDto> {
    return toSenderRouteDto(await this.senders.updateRoute(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a sender route (operator key).' })
  @ApiNoContentResponse()
  async remove(@IdParam('id', DeliveryErrorCode.SenderRouteNotFound, 'The sender route') id: string): Promise<void> {
    await this.senders.removeRoute(id);
  }
}
