import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@twofold/platform/auth';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { HealthModule, loggerModule } from '@twofold/platform/http';
import { QueueModule } from '@twofold/platform/queue';
import { DbApiKeyVerifier } from '@twofold/tenancy/data-access';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit/audit.module';
import { AuthProviderConfig } from './config';
import { ProvidersModule } from './providers/providers.module';
import { TenantsModule } from './tenants/tenants.module';
import { UsersModule } from './users/users.module';
import { LicensesModule } from './licenses/licenses.module';

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
        AuthModule.forRoot({
          verifiers: [DbApiKeyVerifier],
          operatorKey: config.OPERATOR_API_KEY,
        }),
        HealthModule,
        TenantsModule,
        ApiKeysModule,
        ProvidersModule,
        AuditModule,
        UsersModule,
        LicensesModule,
      ],
    };
  }
}
