import { Module } from '@nestjs/common';
import { MethodPolicyRepository, RegistrationRepository } from '@twofold/directory/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { MethodPolicyController } from './method-policy.controller';
import { MethodPolicyService } from './method-policy.service';

@Module({
  controllers: [MethodPolicyController],
  providers: [MethodPolicyService, MethodPolicyRepository, RegistrationRepository, AuditLogRepository],
})
export class MethodPolicyModule {}
