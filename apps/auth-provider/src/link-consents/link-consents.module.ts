import { Module } from '@nestjs/common';
import { LinkConsentRepository } from '@twofold/providers/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { LinkConsentsController } from './link-consents.controller';
import { LinkConsentsService } from './link-consents.service';

@Module({
  controllers: [LinkConsentsController],
  providers: [LinkConsentsService, LinkConsentRepository, AuditLogRepository],
})
export class LinkConsentsModule {}
