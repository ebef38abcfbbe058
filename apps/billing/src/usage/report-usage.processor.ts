import { Injectable } from '@nestjs/common';
import type { ReportUsageJob } from '@twofold/billing/contracts';
import { JobProcessor } from '@twofold/platform/queue';
import { UsageRelayService } from './usage-relay.service';

/** `billing.usage.report`: relay one tenant's pending usage now (the loop would within seconds). */
@Injectable()
export class ReportUsageProcessor implements JobProcessor<'billing.usage'> {
  readonly queue = 'billing.usage' as const;
  readonly type = 'billing.usage.report' as const;

  constructor(private readonly relay: UsageRelayService) {}

  async handle(job: ReportUsageJob): Promise<void> {
    for (;;) {
      const r = await this.relay.relayTenantBatch(job.tenantId);
      if (r.transientFailures > 0) throw new Error('Stripe did not accept every meter event; retrying');
      if (r.claimed === 0 || r.failed > 0) return;
    }
  }
}
