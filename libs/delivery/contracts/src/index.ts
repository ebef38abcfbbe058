/** Jobs the authentication engine puts on the delivery queues (consumed by apps/delivery). */
export interface SendSmsJob {
  type: 'delivery.sms.send';
  tenantId: string;
  /** Also the BullMQ job id: one message, one job, however often it is enqueued. */
  idempotencyKey: string;
  authenticationId: string;
  messageId: string;
}

export interface PlaceVoiceCallJob {
  type: 'delivery.voice.call';
  tenantId: string;
  idempotencyKey: string;
  authenticationId: string;
  messageId: string;
}

export type DeliverySmsJob = SendSmsJob;
export type DeliveryVoiceJob = PlaceVoiceCallJob;
