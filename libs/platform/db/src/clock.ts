import { Injectable } from '@nestjs/common';

/** The only source of "now": tests replace it to travel in time (billing months, code expiry). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
