import { Module } from '@nestjs/common';
import { ExportRepository } from '@twofold/reporting/data-access';
import { TenantRepository } from '@twofold/tenancy/data-access';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';

@Module({ controllers: [ExportsController], providers: [ExportsService, ExportRepository, TenantRepository] })
export class ExportsModule {}
