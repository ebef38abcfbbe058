/**
 * The one-time code travels to the sender sealed (AES-256-GCM with the platform SecretBox keys,
 * AAD `code:<tenantId>:<messageId>`): the database keeps only its hash (R24) and Redis never
 * holds it in clear.
 */
export interface SealedCode {
  keyId: string;
  /** base64 */
  ciphertext: string;
}

/** Jobs the authentication engine puts on the delivery queues (consumed by apps/delivery). */
export interface SendSmsJob {
  type: 'delivery.sms.send';
  tenantId: string;
  /** Also the BullMQ job id: one message, one job, however often it is enqueued. */
  idempotencyKey: string;
  authenticationId: string;
  messageId: string;
  code: SealedCode;
}

export interface PlaceVoiceCallJob {
  type: 'delivery.voice.call';
  tenantId: string;
  idempotencyKey: string;
  authenticationId: string;
  messageId: string;
  code: SealedCode;
  /** R23: caller ID configured for the provider or server, if any. */
  callerId: string | null;
}

export type DeliverySmsJob = SendSmsJob;
export type DeliveryVoiceJob = PlaceVoiceCallJob;
export * from './destination-policy';
