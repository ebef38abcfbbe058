import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
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
      // Every line logged while serving a request carries `correlationId`; the tenant is known
      // only after authentication, so it joins the completion line.
      customAttributeKeys: { reqId: 'correlationId' },
      quietReqLogger: true,
      customProps: (req: IncomingMessage) => {
        const { tenantId } = contextOf(req);
        return tenantId ? { tenantId } : {};
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
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      },
    },
    // Probes hit these every few seconds; their failures still show in the readiness body.
    exclude: [{ method: RequestMethod.ALL, path: 'health/{*path}' }],
  });
}
