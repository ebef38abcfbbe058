import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import twilio from 'twilio';

const TWILIO_API = 'https://api.twilio.com';

type BaseRequest<TData> = (
  opts: RequestOptions<TData>,
) => Promise<{ statusCode: number; body: TData; headers: unknown }>;
type RequestOptions<TData> = Parameters<twilio.RequestClient['request']>[0] & { data?: TData };

/**
 * twilio 6 has no base-URL option: this HTTP client sends the SDK's requests to
 * TWILIO_API_BASE_URL instead (tests: the fake in platform/testing). Nothing else changes.
 */
export class RewritingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true, autoRetry: false });
    // Keep-alive for plain-HTTP targets too (the SDK only configures its https agent).
    this.axios.defaults.httpAgent = new Agent({ keepAlive: true, maxSockets: 256 });
    this.axios.defaults.httpsAgent ??= new HttpsAgent({ keepAlive: true, maxSockets: 256 });
  }

  override request<TData>(opts: RequestOptions<TData>): ReturnType<BaseRequest<TData>> {
    const uri = opts.uri.startsWith(TWILIO_API) ? this.baseUrl + opts.uri.slice(TWILIO_API.length) : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

export interface TwilioSettings {
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
  timeoutMs: number;
}

/** What a failed Twilio request means for the job. */
export interface TwilioFailure {
  /** Worth another attempt (network, timeout, 5xx, 429, our credentials refused). */
  transient: boolean;
  /** Twilio's error code (e.g. "21211"), `http_<status>`, or `network`. */
  code: string;
  message: string;
}

/** Twilio I/O: SMS through Messages, voice through Calls. Never logs or returns the body. */
export class TwilioGateway {
  private readonly client: twilio.Twilio;

  constructor(settings: TwilioSettings) {
    const httpClient = new RewritingRequestClient(settings.apiBaseUrl, settings.timeoutMs);
    this.client = twilio(settings.accountSid, settings.authToken, { httpClient, autoRetry: false });
  }

  async sendSms(input: { to: string; from: string; body: string; statusCallback: string }): Promise<string> {
    const message = await this.client.messages.create(input);
    return message.sid;
  }

  async placeCall(input: { to: string; from: string; twiml: string; statusCallback: string }): Promise<string> {
    const call = await this.client.calls.create({
      ...input,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      statusCallbackMethod: 'POST',
    });
    return call.sid;
  }

  /** The call's TwiML: the code digit by digit, said `repeats` times. */
  static sayTwiml(sentence: string, repeats: number): string {
    const response = new twilio.twiml.VoiceResponse();
    for (let i = 0; i < repeats; i++) {
      response.say(sentence);
      if (i < repeats - 1) response.pause({ length: 1 });
    }
    return response.toString();
  }
}

/**
 * 4xx answers are about this message (invalid number 21211, unsubscribed 21610, not a mobile 21614,
 * region not enabled 21408, blocked 30004...) and no retry changes them, except 429 and our own
 * credentials being refused (401/403: a config mistake an operator fixes while the job backs off).
 */
export function classifyTwilioError(error: unknown): TwilioFailure {
  const e = error as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.status === 'number') {
    const status = e.status;
    const code = typeof e.code === 'number' || typeof e.code === 'string' ? String(e.code) : `http_${status}`;
    const transient = status >= 500 || status === 429 || status === 401 || status === 403;
    return { transient, code, message: typeof e.message === 'string' ? e.message.slice(0, 300) : `HTTP ${status}` };
  }
  return {
    transient: true,
    code: 'network',
    message: error instanceof Error ? error.message.slice(0, 300) : 'network',
  };
}
