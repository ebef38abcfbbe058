import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@twofold/platform/auth';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { HealthModule, loggerModule } from '@twofold/platform/http';
import { QueueMetricsModule, QueueModule } from '@twofold/platform/queue';
import { DbMfaServerVerifier } from '@twofold/providers/data-access';
import { DbApiKeyVerifier } from '@twofold/tenancy/data-access';
import { AdminSessionAuthenticator } from './admins/admin-session.authenticator';
import { AdminsModule } from './admins/admins.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AppPasswordsModule } from './app-passwords/app-passwords.module';
import { AuditModule } from './audit/audit.module';
import { AuthenticationsModule } from './authentications/authentications.module';
import { DevicesModule } from './devices/devices.module';
import { MethodPolicyModule } from './method-policy/method-policy.module';
import { MethodsModule } from './methods/methods.module';
import { AuthProviderConfig } from './config';
import { MfaServersModule } from './mfa-servers/mfa-servers.module';
import { ProvidersModule } from './providers/providers.module';
import { TenantsModule } from './tenants/tenants.module';
import { UsersModule } from './users/users.module';
import { LicensesModule } from './licenses/licenses.module';
import { LinkConsentsModule } from './link-consents/link-consents.module';
import { OathTokensModule } from './oath-tokens/oath-tokens.module';

@Module({})
export class AppModule {
  static forRoot(config: AuthProviderConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config, 'auth-provider'),
        DbModule,
        QueueModule,
        QueueMetricsModule.forRoot(['delivery.sms', 'delivery.voice']),
        AuthModule.forRoot({
          verifiers: [DbApiKeyVerifier, DbMfaServerVerifier],
          operatorKey: config.OPERATOR_API_KEY,
          httpsOnlyFor: config.SERVER_HTTPS_ONLY ? ['mfa_server'] : [],
          credentialCacheMs: config.CREDENTIAL_CACHE_MS,
          sessions: AdminSessionAuthenticator,
        }),
        HealthModule,
        TenantsModule,
        ApiKeysModule,
        AdminsModule,
        ProvidersModule,
        MfaServersModule,
        AuditModule,
        MethodsModule,
        MethodPolicyModule,
        DevicesModule,
        AppPasswordsModule,
        UsersModule,
        LicensesModule,
        LinkConsentsModule,
        OathTokensModule,
        AuthenticationsModule,
      ],
    };
  }
}
