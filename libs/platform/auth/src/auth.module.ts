import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeyGuard } from './auth.guard';
import { BearerStrategy } from './bearer.strategy';
import { API_KEY_VERIFIER, OPERATOR_KEY } from './principal';

export interface AuthModuleOptions {
  /** Provider of API_KEY_VERIFIER (the tenancy lib's ApiKeyVerifier implementation). */
  verifier: Provider;
  operatorKey: string | null;
  imports?: DynamicModule['imports'];
}

@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      imports: [PassportModule.register({ session: false }), ...(options.imports ?? [])],
      providers: [
        options.verifier,
        { provide: OPERATOR_KEY, useValue: options.operatorKey },
        BearerStrategy,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [API_KEY_VERIFIER],
    };
  }
}
