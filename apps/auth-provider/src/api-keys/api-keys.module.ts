import { Module } from '@nestjs/common';
import { ApiKeyRepository, AuditLogRepository } from '@twofold/tenancy/data-access';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';

@Module({ controllers: [ApiKeysController], providers: [ApiKeysService, ApiKeyRepository, AuditLogRepository] })
export class ApiKeysModule {}
