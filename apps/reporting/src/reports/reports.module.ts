import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@twofold/platform/config';
import { REPORT_READ_LIMITS, ReportSource } from '@twofold/reporting/data-access';
import { TenantRepository } from '@twofold/tenancy/data-access';
import { httpReadLimits, ReportingHttpConfig } from '../config';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

@Module({
  controllers: [ReportsController],
  providers: [
    ReportsService,
    ReportSource,
    TenantRepository,
    { provide: REPORT_READ_LIMITS, inject: [APP_CONFIG], useFactory: (c: ReportingHttpConfig) => httpReadLimits(c) },
  ],
  exports: [ReportsService, ReportSource],
})
export class ReportsModule {}
