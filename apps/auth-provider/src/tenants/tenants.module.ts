import { Module } from '@nestjs/common';
import { ApiKeyRepository, AuditLogRepository, TenantRepository } from '@twofold/tenancy/data-access';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

@Module({
  controllers: [TenantsController],
  providers: [TenantsService, TenantRepository, ApiKeyRepository, AuditLogRepository],
})
export class TenantsModule {}
