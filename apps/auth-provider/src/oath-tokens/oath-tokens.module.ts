import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { MethodRepository, UserRepository } from '@twofold/directory/data-access';
import { AuditLogRepository, TenantRepository } from '@twofold/tenancy/data-access';
import { OathTokenAdminRepository } from '@twofold/tokens/data-access';
import { KeyDerivationModule } from '../common/key-derivation';
import { secretBoxProvider } from '../common/secret-box.provider';
import { registerMultipart } from './multipart';
import { OathTokensController } from './oath-tokens.controller';
import { OathTokensService } from './oath-tokens.service';
import { MethodsModule } from '../methods/methods.module';

@Module({
  imports: [MethodsModule, KeyDerivationModule],
  controllers: [OathTokensController],
  providers: [
    OathTokensService,
    OathTokenAdminRepository,
    UserRepository,
    MethodRepository,
    TenantRepository,
    AuditLogRepository,
    secretBoxProvider,
  ],
})
export class OathTokensModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** The import route takes file uploads; the parser is added before the server is ready. */
  onModuleInit(): void {
    registerMultipart(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
