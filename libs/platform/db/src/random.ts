import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';

/**
 * The only source of randomness for domain decisions (one-time codes, number matching): injected
 * like the Clock, so a test can steer it. Row ids (`newRowId`) are not decisions and stay as they are.
 */
@Injectable()
export class Random {
  bytes(size: number): Buffer {
    return randomBytes(size);
  }
}
