import { Module } from '@nestjs/common';
import { MethodPolicyRepository, UserRepository } from '@twofold/directory/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { AuthenticationsModule } from '../authentications/authentications.module';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [AuthenticationsModule],
  controllers: [UsersController],
  providers: [UsersService, UserRepository, MethodPolicyRepository, AuditLogRepository],
})
export class UsersModule {}
