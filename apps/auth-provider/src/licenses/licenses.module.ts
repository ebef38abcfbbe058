import { Module } from '@nestjs/common';
import { LicenseRepository, UserRepository } from '@twofold/directory/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { LicensesController } from './licenses.controller';
import { LicensesService } from './licenses.service';

@Module({
  controllers: [LicensesController],
  providers: [LicensesService, LicenseRepository, UserRepository, AuditLogRepository],
})
export class LicensesModule {}
