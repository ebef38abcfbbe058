import { DomainError } from '@twofold/platform/errors';

/** Error codes of the delivery HTTP API (R29 body `{ code, message, correlationId }`). */
export enum DeliveryErrorCode {
  InvalidTwilioSignature = 'invalid_twilio_signature',
  ShortCodeNotFound = 'short_code_not_found',
  SenderRouteNotFound = 'sender_route_not_found',
  SenderExists = 'sender_exists',
}

export const DeliveryErrors = {
  invalidSignature: () =>
    new DomainError(
      DeliveryErrorCode.InvalidTwilioSignature,
      'forbidden',
      'The X-Twilio-Signature header is missing or does not match this request.',
    ),
  shortCodeNotFound: () =>
    new DomainError(DeliveryErrorCode.ShortCodeNotFound, 'not_found', 'The short code was not found.'),
  routeNotFound: () =>
    new DomainError(DeliveryErrorCode.SenderRouteNotFound, 'not_found', 'The sender route was not found.'),
  senderExists: () => new DomainError(DeliveryErrorCode.SenderExists, 'conflict', 'This sender is already configured.'),
};

/** The path Twilio posts status callbacks to (also part of the signed URL). */
export const STATUS_CALLBACK_PATH = '/v1/twilio/status';

export const statusCallbackUrl = (publicBaseUrl: string, tenantId: string, messageId: string): string =>
  `${publicBaseUrl}${STATUS_CALLBACK_PATH}?t=${tenantId}&m=${messageId}`;
