import { Module } from '@nestjs/common';
import { ReportSource } from '@twofold/reporting/data-access';
import { TenantRepository } from '@twofold/tenancy/data-access';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

@Module({
  controllers: [ReportsController],
  providers: [ReportsService, ReportSource, TenantRepository],
  exports: [ReportsService, ReportSource],
})
export class ReportsModule {}
