import { Module } from '@nestjs/common';
import { AuthenticationSqlRepository } from '@twofold/authentication/data-access';
import { UsageOutboxSqlRepository } from '@twofold/billing/data-access';
import { MessageSqlRepository } from '@twofold/delivery/data-access';
import { AuthenticatorSqlRepository } from '@twofold/directory/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { OathTokenSqlRepository } from '@twofold/tokens/data-access';
import { KeyDerivationModule } from '../common/key-derivation';
import { secretBoxProvider } from '../common/secret-box.provider';
import { AuthenticationCloser } from './authentication-closer';
import { AuthenticationGuards } from './authentication-guards';
import { AuthenticationSweeper } from './authentication-sweeper';
import { AuthenticationsController } from './authentications.controller';
import { AuthenticationsService } from './authentications.service';

@Module({
  imports: [KeyDerivationModule],
  controllers: [AuthenticationsController],
  providers: [
    AuthenticationsService,
    AuthenticationSweeper,
    AuthenticationGuards,
    AuthenticationCloser,
    secretBoxProvider,
    AuthenticationSqlRepository,
    UsageOutboxSqlRepository,
    MessageSqlRepository,
    AuthenticatorSqlRepository,
    OathTokenSqlRepository,
    AuditLogRepository,
  ],
  exports: [AuthenticationCloser, AuthenticationGuards],
})
export class AuthenticationsModule {}
