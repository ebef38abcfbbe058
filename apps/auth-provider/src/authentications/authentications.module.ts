import { Module } from '@nestjs/common';
import {
  AuthenticationSqlRepository,
  StartContextCache,
  TENANT_SETTINGS_CACHE_MS,
} from '@twofold/authentication/data-access';
import { UsageOutboxSqlRepository } from '@twofold/billing/data-access';
import { MessageSqlRepository } from '@twofold/delivery/data-access';
import { AuthenticatorSqlRepository } from '@twofold/directory/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { APP_CONFIG } from '@twofold/platform/config';
import type { AuthProviderConfig } from '../config';
import { OathTokenSqlRepository } from '@twofold/tokens/data-access';
import { KeyDerivationModule } from '../common/key-derivation';
import { secretBoxProvider } from '../common/secret-box.provider';
import { AuthenticationCloser } from './authentication-closer';
import { AuthenticationGuards } from './authentication-guards';
import { AuthenticationSweeper } from './authentication-sweeper';
import { AuthenticationsController } from './authentications.controller';
import { AuthenticationsService } from './authentications.service';
import { CodeDispatcher } from './code-dispatcher';
import { ResendAuthentication } from './resend-authentication';
import { SendAdmission } from './send-admission';
import { StartAuthentication } from './start-authentication';
import { VerifyAuthentication } from './verify-authentication';
import { METHOD_VERIFIERS } from './verifiers/method-verifiers';

@Module({
  imports: [KeyDerivationModule],
  controllers: [AuthenticationsController],
  providers: [
    AuthenticationsService,
    StartAuthentication,
    VerifyAuthentication,
    ResendAuthentication,
    SendAdmission,
    CodeDispatcher,
    ...METHOD_VERIFIERS,
    AuthenticationSweeper,
    AuthenticationGuards,
    AuthenticationCloser,
    secretBoxProvider,
    AuthenticationSqlRepository,
    // docs/decisions/0029: the tenant part of the start context, dropped on every process at COMMIT.
    {
      provide: TENANT_SETTINGS_CACHE_MS,
      inject: [APP_CONFIG],
      useFactory: (config: AuthProviderConfig) => config.TENANT_SETTINGS_CACHE_MS,
    },
    StartContextCache,
    UsageOutboxSqlRepository,
    MessageSqlRepository,
    AuthenticatorSqlRepository,
    OathTokenSqlRepository,
    AuditLogRepository,
  ],
  exports: [AuthenticationCloser, AuthenticationGuards],
})
export class AuthenticationsModule {}
