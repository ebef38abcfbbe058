import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import type { LicensePurchaseRow } from '@twofold/billing/data-access';

/** Seats one purchase may buy: a sales-led deal beyond this goes through the operator (decision 0018). */
export const MAX_SEATS_PER_PURCHASE = 100_000;

export class CreateLicensePurchaseDto {
  @ApiProperty({ minimum: 1, maximum: MAX_SEATS_PER_PURCHASE, example: 250 })
  @IsInt()
  @Min(1)
  @Max(MAX_SEATS_PER_PURCHASE)
  seats!: number;

  @ApiProperty({ minimum: 1, maximum: 36, example: 12, description: 'Months the seats are bought for (R4).' })
  @IsInt()
  @Min(1)
  @Max(36)
  termMonths!: number;
}

export class ChangeLicensePurchaseDto {
  @ApiProperty({ minimum: 1, maximum: MAX_SEATS_PER_PURCHASE, description: 'Never below the seats assigned.' })
  @IsInt()
  @Min(1)
  @Max(MAX_SEATS_PER_PURCHASE)
  seats!: number;
}

export class LicensePurchaseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Seats bought (follows Stripe: a change shows once Stripe confirms it).' })
  seats!: number;
  @ApiProperty() termMonths!: number;
  @ApiProperty({
    enum: ['pending', 'awaiting_payment', 'active', 'past_due', 'lapsed', 'ended', 'failed'],
    description:
      'pending: not at Stripe yet; awaiting_payment: the first invoice is open; active: paid, the pool is in force; ' +
      'past_due: a renewal failed, still in force during the grace period; lapsed: unpaid past it; ended: the ' +
      'subscription ended; failed: Stripe refused the purchase.',
  })
  status!: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'The license pool, once paid.' })
  poolId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) stripeSubscriptionId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the first invoice was paid.' })
  paidAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The term ends (the subscription ends) here.' })
  termEnd!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) unpaidSince!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) endedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "Stripe's last error, while pending or failed." })
  lastError!: string | null;
  @ApiProperty() createdAt!: string;
}

export class LicensePurchaseListDto {
  @ApiProperty({ type: [LicensePurchaseDto] }) items!: LicensePurchaseDto[];
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const toPurchaseDto = (p: LicensePurchaseRow): LicensePurchaseDto => ({
  id: p.id,
  seats: p.seats,
  termMonths: p.termMonths,
  status: p.status,
  poolId: p.poolId,
  stripeSubscriptionId: p.stripeSubscriptionId,
  paidAt: iso(p.paidAt),
  termEnd: iso(p.termEnd),
  unpaidSince: iso(p.unpaidSince),
  endedAt: iso(p.endedAt),
  lastError: p.lastError,
  createdAt: p.createdAt.toISOString(),
});
