import { Module } from '@nestjs/common';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

@Module({ controllers: [AuditController], providers: [AuditService, AuditLogRepository] })
export class AuditModule {}
