import { Injectable, Module } from '@nestjs/common';
import { KeyDerivationPool } from '@twofold/platform/crypto';

/**
 * The process's key-derivation pools (docs/decisions/0020). Together they run at most 3
 * derivations at once, below libuv's 4 threads, so file and DNS work always find a thread.
 */
@Injectable()
export class KeyDerivation {
  /** PBKDF2 of PSKC files (R25): one at a time; a tenant has at most two running or waiting. */
  readonly pskc = new KeyDerivationPool('PSKC import', { concurrency: 1, queue: 8, perKey: 2 });
  /** scrypt of app passwords (R17), created or verified: two at a time; a tenant holds at most 8. */
  readonly appPasswords = new KeyDerivationPool('app passwords', { concurrency: 2, queue: 32, perKey: 8 });
}

/** One instance per process, whichever modules import it. */
@Module({ providers: [KeyDerivation], exports: [KeyDerivation] })
export class KeyDerivationModule {}
