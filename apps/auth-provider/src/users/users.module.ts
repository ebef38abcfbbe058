import { Module } from '@nestjs/common';
import { MethodPolicyRepository, UserRepository } from '@twofold/directory/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, UserRepository, MethodPolicyRepository, AuditLogRepository],
})
export class UsersModule {}
