import { Module } from '@nestjs/common';
import { RecordRetentionRepository } from '@twofold/authentication/data-access';
import { MessageErasureRepository } from '@twofold/delivery/data-access';
import { MethodPolicyRepository, UserRepository } from '@twofold/directory/data-access';
import { AuditLogRepository, AuditRetentionRepository } from '@twofold/tenancy/data-access';
import { AuthenticationsModule } from '../authentications/authentications.module';
import { UsersController } from './users.controller';
import { UserErasureService } from './user-erasure.service';
import { UsersService } from './users.service';

@Module({
  imports: [AuthenticationsModule],
  controllers: [UsersController],
  providers: [
    UsersService,
    UserErasureService,
    UserRepository,
    MethodPolicyRepository,
    AuditLogRepository,
    AuditRetentionRepository,
    RecordRetentionRepository,
    MessageErasureRepository,
  ],
})
export class UsersModule {}
