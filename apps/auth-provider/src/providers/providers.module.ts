import { Module } from '@nestjs/common';
import { ProviderRepository } from '@twofold/providers/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { ProvidersController } from './providers.controller';
import { ProvidersService } from './providers.service';

@Module({ controllers: [ProvidersController], providers: [ProvidersService, ProviderRepository, AuditLogRepository] })
export class ProvidersModule {}
