import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { BaseConfig } from '@twofold/platform/config';
import { contextOf } from './correlation';

/**
 * Query parameters whose values are logged as sent: ranges, paging and enums, nothing that names a
 * person or could be a credential. Every other value is logged as `[redacted]` (issue 15 item 2: a
 * key sent as `?access_token=` never reaches the log, and neither do user names or phone numbers).
 */
const LOGGED_QUERY_VALUES: ReadonlySet<string> = new Set([
  'from',
  'to',
  'limit',
  'cursor',
  'format',
  'granularity',
  'result',
  'method',
  'status',
  'kind',
  'report',
]);

/** The request's path with each query value either kept (LOGGED_QUERY_VALUES) or redacted. */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  const kept = [...params.keys()].slice(0, 32).map((name) => {
    const value = LOGGED_QUERY_VALUES.has(name) ? (params.get(name) ?? '') : '[redacted]';
    return `${encodeURIComponent(name.slice(0, 64))}=${LOGGED_QUERY_VALUES.has(name) ? encodeURIComponent(value.slice(0, 128)) : value}`;
  });
  return `${url.slice(0, at)}?${kept.join('&')}`;
}

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
        req: (req: { method: string; url: string }) => ({ method: req.method, url: loggedUrl(req.url) }),
      },
    },
    // Probes hit these every few seconds; their failures still show in the readiness body.
    exclude: [{ method: RequestMethod.ALL, path: 'health/{*path}' }],
  });
}
