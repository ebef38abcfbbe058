import { Injectable } from '@nestjs/common';
import { SenderChange, SenderRepository, SenderRouteRow, ShortCodeRow } from '@twofold/delivery/data-access';
import { isUniqueViolation } from '@twofold/platform/db';
import { ValidationError } from '@twofold/platform/errors';
import { DeliveryErrors } from '../common/delivery.errors';
import type { CreateSenderRouteDto, CreateShortCodeDto } from './dto/sender.dto';

/** Operator management of the short-code pools and sender routes (R21, R22). */
@Injectable()
export class SendersService {
  constructor(private readonly senders: SenderRepository) {}

  listShortCodes(): Promise<ShortCodeRow[]> {
    return this.senders.listShortCodes();
  }

  addShortCode(input: CreateShortCodeDto): Promise<ShortCodeRow> {
    return this.unique(() => this.senders.addShortCode(input));
  }

  async updateShortCode(id: string, change: SenderChange): Promise<ShortCodeRow> {
    return (await this.senders.updateShortCode(id, change)) ?? Promise.reject(DeliveryErrors.shortCodeNotFound());
  }

  async removeShortCode(id: string): Promise<void> {
    if (!(await this.senders.removeShortCode(id))) throw DeliveryErrors.shortCodeNotFound();
  }

  listRoutes(): Promise<SenderRouteRow[]> {
    return this.senders.listRoutes();
  }

  addRoute(input: CreateSenderRouteDto): Promise<SenderRouteRow> {
    if (input.country === 'US' || input.country === 'CA') {
      throw new ValidationError([{ field: 'country', problems: ['US and Canada are served by the short-code pools'] }]);
    }
    return this.unique(() => this.senders.addRoute(input));
  }

  async updateRoute(id: string, change: SenderChange): Promise<SenderRouteRow> {
    return (await this.senders.updateRoute(id, change)) ?? Promise.reject(DeliveryErrors.routeNotFound());
  }

  async removeRoute(id: string): Promise<void> {
    if (!(await this.senders.removeRoute(id))) throw DeliveryErrors.routeNotFound();
  }

  private async unique<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw DeliveryErrors.senderExists();
      throw error;
    }
  }
}
