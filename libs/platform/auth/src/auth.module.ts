import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeyGuard } from './auth.guard';
import { BearerStrategy } from './bearer.strategy';
import { CREDENTIAL_CACHE_MS, CredentialCache } from './credential-cache';
import { SESSION_AUTH, SessionAuthenticator } from './session';
import { CREDENTIAL_VERIFIERS, CredentialVerifier, HTTPS_ONLY_KINDS, OPERATOR_KEY, PrincipalKind } from './principal';

export interface AuthModuleOptions {
  /** The credential families this app accepts (each a class implementing CredentialVerifier). */
  verifiers: Type<CredentialVerifier>[];
  operatorKey: string | null;
  /** R28: these kinds of credential are refused (403 `https_required`) unless the request came over HTTPS. */
  httpsOnlyFor?: PrincipalKind[];
  /** CREDENTIAL_CACHE_MS: how long a verified credential is kept (0 = asked every time). */
  credentialCacheMs?: number;
  imports?: DynamicModule['imports'];
  /** Admin session cookies (docs/decisions/0031), where this app issues them. */
  sessions?: Type<SessionAuthenticator>;
}

@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      // Global: the repositories that revoke credentials or suspend tenants forget them in the cache.
      global: true,
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
        { provide: CREDENTIAL_CACHE_MS, useValue: options.credentialCacheMs ?? 0 },
        CredentialCache,
        BearerStrategy,
        ...(options.sessions ? [options.sessions, { provide: SESSION_AUTH, useExisting: options.sessions }] : []),
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [CredentialCache],
    };
  }
}
