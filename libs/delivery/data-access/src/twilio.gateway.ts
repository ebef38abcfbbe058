import { Agent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import twilio from 'twilio';
import { twilioErrorsTotal, twilioRequestDuration } from '@twofold/platform/metrics';
import type SdkHttpResponse from 'twilio/lib/http/response';

const TWILIO_API = 'https://api.twilio.com';

type RequestOptions<TData> = Parameters<twilio.RequestClient['request']>[0] & { data?: TData };
type SdkResponse = { statusCode: number; body: string; headers: IncomingHttpHeaders };

/**
 * The HTTP client under the official SDK (its documented `httpClient` hook): the SDK still builds
 * every request and reads every answer (resource paths, parameters, User-Agent, RestException),
 * only the transport differs from its default one.
 * - twilio 6 has no base-URL option: requests go to TWILIO_API_BASE_URL instead of
 *   https://api.twilio.com (tests: the fake in platform/testing).
 * - Plain node:http(s) with keep-alive agents instead of the SDK's axios: axios' per-request
 *   config merging cost more CPU than anything else the worker does per message (bench/delivery).
 *   Same contract as the SDK's client: form-encoded data (arrays as repeated keys), Basic auth,
 *   the answer's status, text body (the SDK parses it) and headers; network errors and timeouts
 *   reject. No automatic retries (the job retries), no proxy (HTTP_PROXY) support.
 */
export class RewritingRequestClient extends twilio.RequestClient {
  private readonly plainAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly tlsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true, autoRetry: false });
  }

  // The SDK reads statusCode, body and headers only; its own client returns such a plain object too.
  override request<TData>(opts: RequestOptions<TData>): Promise<SdkHttpResponse<TData>> {
    return this.send(opts) as unknown as Promise<SdkHttpResponse<TData>>;
  }

  private async send<TData>(opts: RequestOptions<TData>): Promise<SdkResponse> {
    if (!opts.method) throw new Error('http method is required');
    if (!opts.uri) throw new Error('uri is required');
    const url = new URL(opts.uri.startsWith(TWILIO_API) ? this.baseUrl + opts.uri.slice(TWILIO_API.length) : opts.uri);
    if (opts.params) for (const [k, v] of formPairs(opts.params)) url.searchParams.append(k, v);
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string>), Connection: 'keep-alive' };
    if (opts.username && opts.password) {
      headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    } else if (opts.authStrategy) {
      headers.Authorization = await opts.authStrategy.getAuthString();
    }
    let body: string | undefined;
    if (opts.data) {
      body = new URLSearchParams(formPairs(opts.data as object)).toString();
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const tls = url.protocol === 'https:';
    const timeout = opts.timeout ?? this.timeoutMs;
    return new Promise<SdkResponse>((resolve, reject) => {
      const req = (tls ? httpsRequest : httpRequest)(
        url,
        { method: opts.method.toUpperCase(), headers, agent: tls ? this.tlsAgent : this.plainAgent, timeout },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: text, headers: res.headers }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`Twilio request timed out after ${timeout} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** Form fields as the SDK's client sends them: arrays as repeated keys, undefined left out. */
function formPairs(data: object): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
      pairs.push([key, v === null ? '' : String(v)]);
    }
  }
  return pairs;
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

/** Twilio's own error codes (5 digits), `http_<status>` or `network`: a bounded label (never a tenant or number). */
const CODE_LABEL = /^(\d{5}|http_\d{3}|network)$/;

/**
 * Duration and errors of one Twilio request (docs/decisions/0024), labelled by operation only:
 * in-memory observations around the call we await anyway.
 */
async function measured<T>(operation: string, call: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  try {
    const result = await call();
    twilioRequestDuration.observe({ operation, outcome: 'ok' }, secondsSince(started));
    return result;
  } catch (error) {
    twilioRequestDuration.observe({ operation, outcome: 'error' }, secondsSince(started));
    const failure = classifyTwilioError(error);
    twilioErrorsTotal.inc({
      operation,
      code: CODE_LABEL.test(failure.code) ? failure.code : 'other',
      transient: String(failure.transient),
    });
    throw error;
  }
}

const secondsSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/** Twilio I/O: SMS through Messages, voice through Calls. Never logs or returns the body. */
export class TwilioGateway {
  private readonly client: twilio.Twilio;

  constructor(settings: TwilioSettings) {
    const httpClient = new RewritingRequestClient(settings.apiBaseUrl, settings.timeoutMs);
    this.client = twilio(settings.accountSid, settings.authToken, { httpClient, autoRetry: false });
  }

  async sendSms(input: { to: string; from: string; body: string; statusCallback: string }): Promise<string> {
    const message = await measured('messages.create', () => this.client.messages.create(input));
    return message.sid;
  }

  async placeCall(input: { to: string; from: string; twiml: string; statusCallback: string }): Promise<string> {
    const call = await measured('calls.create', () =>
      this.client.calls.create({
        ...input,
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        statusCallbackMethod: 'POST',
      }),
    );
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
