import type { Harness, TenantFixture } from '../harness';

export type Method = 'get' | 'patch' | 'delete' | 'post' | 'put';

/** One operation that names a tenant's object in its path (OpenAPI form, e.g. /v1/users/{id}). */
export interface IsolationCase {
  method: Method;
  path: string;
  body?: object;
  /**
   * An operator-only operation (R4 seats): sent with the platform operator's key naming tenant B
   * (`?tenantId=` or the body's `tenantId`) and tenant A's ids.
   */
  asOperator?: 'query' | 'body';
  /**
   * An operation on a tenant itself that only the platform operator may call (docs/decisions/0026):
   * tenant B's key gets 403 `operator_key_required` (not 404: the operation exists for no tenant key)
   * and tenant A is unchanged.
   */
  operatorOnly?: true;
}

/**
 * A feature's share of the cross-tenant matrix: `seed` creates tenant A's objects and returns, for
 * each path template of `cases`, the concrete URL of one of them. Add a feature file for every
 * feature with path ids and list it in ./index.ts.
 */
export interface IsolationFeature {
  name: string;
  cases: IsolationCase[];
  seed(h: Harness, a: TenantFixture): Promise<Record<string, string>>;
  /** Optional: after every case ran, prove tenant A's objects are unchanged. */
  verifyUntouched?(h: Harness, a: TenantFixture, urls: Record<string, string>): Promise<void>;
}
