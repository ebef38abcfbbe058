import { Module } from '@nestjs/common';
import { AdminRepository, AuditLogRepository } from '@twofold/tenancy/data-access';
import { KeyDerivationModule } from '../common/key-derivation';
import { secretBoxProvider } from '../common/secret-box.provider';
import { AdminSignInLimits } from './admin-guards';
import { AdminSessionsController } from './admin-sessions.controller';
import { AdminSessionsService } from './admin-sessions.service';
import { AdminInvitationsController, AdminsController } from './admins.controller';
import { AdminsService } from './admins.service';

/** Tenant admins: invitations, roles, sign-in and sessions (issue 18, docs/decisions/0031). */
@Module({
  imports: [KeyDerivationModule],
  controllers: [AdminInvitationsController, AdminsController, AdminSessionsController],
  providers: [
    AdminsService,
    AdminSessionsService,
    AdminSignInLimits,
    AdminRepository,
    AuditLogRepository,
    secretBoxProvider,
  ],
})
export class AdminsModule {}
