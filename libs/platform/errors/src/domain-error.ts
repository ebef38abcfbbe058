/**
 * Base of every domain error. A domain declares its codes in `<domain>.errors.ts` and says what kind
 * of failure each is; the HTTP filter (platform/http) maps the kind to a status. Domain code never
 * speaks HTTP.
 */
export type ErrorKind =
  | 'invalid' // 400
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'gone' // 410
  | 'unprocessable' // 422
  | 'rate_limited' // 429
  | 'unavailable'; // 503

export interface FieldProblem {
  field: string;
  problems: string[];
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    /** Safe, structured details for the client (never secrets). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Platform-level codes shared by every app. */
export enum CommonErrorCode {
  ValidationFailed = 'validation_failed',
  InvalidJson = 'invalid_json',
  CursorInvalid = 'cursor_invalid',
  BadRequest = 'bad_request',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  OperatorKeyRequired = 'operator_key_required',
  /** GET /metrics without the operator key from an address outside METRICS_ALLOW_CIDRS (decision 0024). */
  MetricsAccessDenied = 'metrics_access_denied',
  TenantKeyRequired = 'tenant_key_required',
  MfaServerCredentialRequired = 'mfa_server_credential_required',
  /** docs/decisions/0031: an endpoint about the signed-in admin (their sessions, sign-out). */
  AdminSessionRequired = 'admin_session_required',
  /** docs/decisions/0031: a state-changing request with the session cookie lacks the CSRF token. */
  CsrfFailed = 'csrf_failed',
  HttpsRequired = 'https_required',
  /** docs/decisions/0026: the operator suspended the tenant; every credential of it is refused. */
  TenantSuspended = 'tenant_suspended',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  Conflict = 'conflict',
  PayloadTooLarge = 'payload_too_large',
  RequestTimeout = 'request_timeout',
  UnsupportedMediaType = 'unsupported_media_type',
  RateLimited = 'rate_limited',
  Internal = 'internal_error',
  Unavailable = 'service_unavailable',
}

export class ValidationError extends DomainError {
  constructor(
    readonly fields: FieldProblem[],
    message = 'The request is not valid; see `errors` for each field.',
  ) {
    super(CommonErrorCode.ValidationFailed, 'invalid', message, { errors: fields });
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, what: string) {
    super(code, 'not_found', `${what} was not found.`);
  }
}
