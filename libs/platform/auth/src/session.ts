import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import type { Principal } from './principal';

/**
 * Admin sessions (docs/decisions/0031): a cookie stands in for a bearer credential. The app that
 * issues sessions provides a SessionAuthenticator under SESSION_AUTH; the guard asks it when a request
 * carries no `Authorization` header.
 */
export const SESSION_AUTH = Symbol('SESSION_AUTH');

export interface SessionAuthenticator {
  /** The session token the request's cookie carries, or null. */
  fromRequest(request: FastifyRequest): string | null;
  /** The signed-in admin, or a refusal (401 for a dead session, 403 `csrf_failed`, `tenant_suspended`). */
  authenticate(token: string, request: FastifyRequest): Promise<Principal>;
}

export const CSRF_HEADER = 'x-csrf-token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The session's CSRF token: derived from the session token (a SHA-256 under its own label), so it is
 * never stored, differs per session, and cannot be computed without the HttpOnly cookie.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`csrf:${sessionToken}`, 'utf8').digest('base64url');
}

/**
 * A state-changing request made with a session cookie must carry `X-CSRF-Token` equal to the
 * session's token, and, when the browser names an Origin, come from this host. A page of another site
 * can neither read the token nor set the header without a CORS preflight we never grant.
 */
export function assertCsrf(request: FastifyRequest, sessionToken: string): void {
  if (SAFE.has(request.method)) return;
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      host = null;
    }
    if (host !== request.host) throw csrfFailed('The request’s Origin is not this service.');
  } else if (origin === 'null') throw csrfFailed('The request’s Origin is not this service.');
  const given = request.headers[CSRF_HEADER];
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const actual = Buffer.from(typeof given === 'string' ? given : '');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw csrfFailed(
      `A request made with the session cookie that changes something needs the \`X-CSRF-Token\` header.`,
    );
  }
}

function csrfFailed(message: string): DomainError {
  return new DomainError(CommonErrorCode.CsrfFailed, 'forbidden', message);
}
