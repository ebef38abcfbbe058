import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

/** A failure the fake answers with instead of accepting the request. */
export type FakeTwilioFailure =
  | 'server_error' // HTTP 500, code 20500
  | 'too_many_requests' // HTTP 429, code 20429
  | 'invalid_number' // HTTP 400, code 21211
  | 'unsubscribed' // HTTP 400, code 21610
  | 'not_mobile' // HTTP 400, code 21614
  | 'unroutable' // HTTP 400, code 21612
  | 'no_permission' // HTTP 400, code 21408
  | 'connection_reset'; // socket destroyed without a response

const FAILURES: Record<
  Exclude<FakeTwilioFailure, 'connection_reset'>,
  { status: number; code: number; message: string }
> = {
  server_error: { status: 500, code: 20500, message: 'Internal Server Error' },
  too_many_requests: { status: 429, code: 20429, message: 'Too Many Requests' },
  invalid_number: { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." },
  unsubscribed: { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  not_mobile: { status: 400, code: 21614, message: "'To' number is not a valid mobile number" },
  unroutable: { status: 400, code: 21612, message: "The 'To' phone number is not currently reachable via SMS" },
  no_permission: { status: 400, code: 21408, message: 'Permission to send an SMS has not been enabled for the region' },
};

/** How the fake reports a message/call after accepting it, through signed status callbacks. */
export type FakeTwilioOutcome =
  { status: 'delivered' } | { status: 'undelivered' | 'failed'; errorCode: string } | { status: 'none' };

export interface FakeTwilioRequest {
  kind: 'message' | 'call';
  accountSid: string;
  /** Form fields as sent by the SDK (To, From, Body, Twiml, StatusCallback...). */
  params: Record<string, string>;
  /** ms since epoch when the fake received it. */
  at: number;
  sid: string | null;
  responseStatus: number;
}

export interface FakeTwilioCallback {
  url: string;
  params: Record<string, string>;
  responseStatus: number;
}

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  /** Post status callbacks on their own after accepting a request (default true). */
  autoCallbacks?: boolean;
  /** Pause between two callbacks of one message, ms (default 5). */
  callbackGapMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sidOf = (prefix: 'SM' | 'CA') => `${prefix}${randomBytes(16).toString('hex')}`;

/**
 * A small Twilio stand-in on a random local port: the Messages and Calls endpoints of the 2010-04-01
 * API with Basic auth, programmable failures, and status callbacks signed exactly as Twilio signs
 * them (the SDK's own `getExpectedTwilioSignature`), so the code under test runs unchanged.
 */
export class FakeTwilio {
  readonly requests: FakeTwilioRequest[] = [];
  readonly callbacks: FakeTwilioCallback[] = [];
  autoCallbacks: boolean;
  private server?: Server;
  private readonly failures = new Map<string, FakeTwilioFailure[]>();
  private readonly outcomes = new Map<string, FakeTwilioOutcome>();
  private readonly pending = new Set<Promise<void>>();
  private baseUrl = '';

  constructor(private readonly options: FakeTwilioOptions) {
    this.autoCallbacks = options.autoCallbacks ?? true;
  }

  static async start(options: FakeTwilioOptions): Promise<FakeTwilio> {
    const fake = new FakeTwilio(options);
    await fake.listen();
    return fake;
  }

  /** e.g. http://127.0.0.1:54321 — the value for TWILIO_API_BASE_URL. */
  get url(): string {
    return this.baseUrl;
  }

  /** The next `times` requests to `to` fail this way (default: every one). */
  failTo(to: string, failure: FakeTwilioFailure, times = Number.POSITIVE_INFINITY): void {
    this.failures.set(
      to,
      Array.from({ length: Math.min(times, 10_000) }, () => failure),
    );
  }

  /** Status callbacks for messages/calls to `to` end this way (default: delivered). */
  outcomeFor(to: string, outcome: FakeTwilioOutcome): void {
    this.outcomes.set(to, outcome);
  }

  reset(): void {
    this.requests.length = 0;
    this.callbacks.length = 0;
    this.failures.clear();
    this.outcomes.clear();
  }

  /** Twilio's signature of a callback, computed by the official SDK. */
  sign(url: string, params: Record<string, string>): string {
    return twilio.getExpectedTwilioSignature(this.options.authToken, url, params);
  }

  /** Posts one callback as Twilio would (signed unless `signature` is given, '' = none). */
  async postCallback(url: string, params: Record<string, string>, signature?: string): Promise<number> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const sig = signature ?? this.sign(url, params);
    if (sig !== '') headers['x-twilio-signature'] = sig;
    const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
    await res.arrayBuffer();
    this.callbacks.push({ url, params, responseStatus: res.status });
    return res.status;
  }

  /** Waits until every automatic callback started so far has been answered. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.settle();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/(Messages|Calls)\.json$/.exec(
      (req.url ?? '').split('?')[0],
    );
    if (req.method !== 'POST' || !match) return json(res, 404, { code: 20404, message: 'not found', status: 404 });
    const [, accountSid, resource] = match;
    const kind = resource === 'Messages' ? 'message' : 'call';
    const record: FakeTwilioRequest = { kind, accountSid, params, at: Date.now(), sid: null, responseStatus: 0 };
    this.requests.push(record);

    const expected = `Basic ${Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected || accountSid !== this.options.accountSid) {
      record.responseStatus = 401;
      return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    const queued = this.failures.get(params.To ?? '');
    const failure = queued?.shift();
    if (queued && queued.length === 0) this.failures.delete(params.To ?? '');
    if (failure === 'connection_reset') {
      record.responseStatus = -1;
      req.socket.destroy();
      return;
    }
    if (failure) {
      const f = FAILURES[failure];
      record.responseStatus = f.status;
      return json(res, f.status, {
        code: f.code,
        message: f.message,
        more_info: `https://www.twilio.com/docs/errors/${f.code}`,
        status: f.status,
      });
    }
    if (!params.To || (kind === 'message' ? !params.Body : !params.Twiml && !params.Url)) {
      record.responseStatus = 400;
      return json(res, 400, { code: 21604, message: 'A required parameter is missing.', status: 400 });
    }
    const sid = sidOf(kind === 'message' ? 'SM' : 'CA');
    record.sid = sid;
    record.responseStatus = 201;
    const now = new Date().toUTCString();
    json(
      res,
      201,
      kind === 'message'
        ? {
            sid,
            account_sid: accountSid,
            to: params.To,
            from: params.From ?? null,
            messaging_service_sid: params.MessagingServiceSid ?? null,
            body: params.Body,
            status: 'queued',
            num_segments: '1',
            direction: 'outbound-api',
            api_version: '2010-04-01',
            date_created: now,
            date_updated: now,
            error_code: null,
            error_message: null,
            uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
          }
        : {
            sid,
            account_sid: accountSid,
            to: params.To,
            from: params.From,
            status: 'queued',
            direction: 'outbound-api',
            api_version: '2010-04-01',
            date_created: now,
            date_updated: now,
            uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`,
          },
    );
    if (this.autoCallbacks && params.StatusCallback) {
      const job = this.runCallbacks(kind, sid, accountSid, params).catch(() => undefined);
      this.pending.add(job);
      void job.finally(() => this.pending.delete(job));
    }
  }

  private async runCallbacks(
    kind: 'message' | 'call',
    sid: string,
    accountSid: string,
    request: Record<string, string>,
  ): Promise<void> {
    const outcome = this.outcomes.get(request.To) ?? { status: 'delivered' };
    if (outcome.status === 'none') return;
    const gap = this.options.callbackGapMs ?? 5;
    const base = { AccountSid: accountSid, From: request.From ?? '', To: request.To, ApiVersion: '2010-04-01' };
    const steps: [string, string | undefined][] =
      kind === 'message'
        ? [
            ['queued', undefined],
            ['sent', undefined],
            outcome.status === 'delivered' ? ['delivered', undefined] : [outcome.status, outcome.errorCode],
          ]
        : [
            ['initiated', undefined],
            ['ringing', undefined],
            outcome.status === 'delivered'
              ? ['completed', undefined]
              : [outcome.status === 'failed' ? 'failed' : 'no-answer', outcome.errorCode],
          ];
    for (const [status, errorCode] of steps) {
      await sleep(gap);
      const params: Record<string, string> =
        kind === 'message'
          ? { ...base, MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status }
          : { ...base, CallSid: sid, CallStatus: status };
      if (errorCode) params.ErrorCode = errorCode;
      await this.postCallback(request.StatusCallback, params);
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
