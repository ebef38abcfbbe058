import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { BaseConfig } from '@twofold/platform/config';
import { contextOf } from './correlation';

/**
 * Structured JSON logs with the correlation and tenant ids. Credentials, codes and phone numbers
 * are never logged: headers that carry them are redacted, bodies are not logged at all.
 */
export function loggerModule(config: BaseConfig, service: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.LOG_LEVEL,
      base: { service },
      messageKey: 'msg',
      genReqId: (req: IncomingMessage) => contextOf(req).correlationId,
      customProps: (req: IncomingMessage) => {
        const ctx = contextOf(req);
        return { correlationId: ctx.correlationId, tenantId: ctx.tenantId };
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-twilio-signature"]',
          'req.headers["stripe-signature"]',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
    },
  });
}
