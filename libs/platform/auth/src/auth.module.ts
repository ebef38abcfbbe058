import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeyGuard } from './auth.guard';
import { BearerStrategy } from './bearer.strategy';
import { CREDENTIAL_VERIFIERS, CredentialVerifier, HTTPS_ONLY_KINDS, OPERATOR_KEY, PrincipalKind } from './principal';

export interface AuthModuleOptions {
  /** The credential families this app accepts (each a class implementing CredentialVerifier). */
  verifiers: Type<CredentialVerifier>[];
  operatorKey: string | null;
  /** R28: these kinds of credential are refused (403 `https_required`) unless the request came over HTTPS. */
  httpsOnlyFor?: PrincipalKind[];
  imports?: DynamicModule['imports'];
}

@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      imports: [PassportModule.register({ session: false }), ...(options.imports ?? [])],
      providers: [
        ...options.verifiers,
        {
          provide: CREDENTIAL_VERIFIERS,
          inject: options.verifiers,
          useFactory: (...verifiers: CredentialVerifier[]) => verifiers,
        },
        { provide: OPERATOR_KEY, useValue: options.operatorKey },
        { provide: HTTPS_ONLY_KINDS, useValue: options.httpsOnlyFor ?? [] },
        BearerStrategy,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
    };
  }
}
