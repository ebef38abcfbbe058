import { join, resolve } from 'node:path';

/** R27: files live under one folder per data region, then per tenant. Never a user-given name. */
export function exportFilePath(
  root: string,
  region: string,
  tenantId: string,
  exportId: string,
  format: string,
  gzip: boolean,
): string {
  return join(resolve(root), region, tenantId, `${exportId}.${format}${gzip ? '.gz' : ''}`);
}
