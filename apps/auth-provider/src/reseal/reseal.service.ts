import { Injectable } from '@nestjs/common';
import { ResealTarget, resealerOf, RowRef, SecretBox } from '@twofold/platform/crypto';
import { DeviceResealTarget } from '@twofold/directory/data-access';
import { MessageResealTarget } from '@twofold/delivery/data-access';
import { OathTokenResealTarget } from '@twofold/tokens/data-access';
import { AdminResealTarget } from '@twofold/tenancy/data-access';

export interface ResealReport {
  kind: string;
  resealed: number;
  /** Rows that did not open with their key (unknown key id, altered ciphertext): left as they are. */
  failed: { id: string; reason: string }[];
  /** Rows per key id once the pass is done. */
  keys: { keyId: string; rows: number }[];
}

/**
 * Issue 16 item 6: after a key rotation (a new SECRETS_ACTIVE_KEY_ID), re-seals every sealed secret
 * still under an older key: authenticator seeds and device secrets, OATH token secrets, queued codes,
 * tenant admins' TOTP seeds.
 * Each page of one tenant's rows is re-sealed in that tenant's transaction with the rows locked, so
 * it runs beside live traffic, and a second run only finds what the first could not open or what
 * another process sealed with an old key meanwhile (a process not yet restarted with the new key).
 */
@Injectable()
export class ResealService {
  private readonly targets: ResealTarget[];

  constructor(
    private readonly box: SecretBox,
    devices: DeviceResealTarget,
    tokens: OathTokenResealTarget,
    messages: MessageResealTarget,
    admins: AdminResealTarget,
  ) {
    this.targets = [devices, tokens, messages, admins];
  }

  get activeKeyId(): string {
    return this.box.activeKeyId;
  }

  async counts(): Promise<Pick<ResealReport, 'kind' | 'keys'>[]> {
    const out: Pick<ResealReport, 'kind' | 'keys'>[] = [];
    for (const target of this.targets) out.push({ kind: target.kind, keys: await target.keyCounts() });
    return out;
  }

  async resealAll(batchSize: number): Promise<ResealReport[]> {
    const reports: ResealReport[] = [];
    for (const target of this.targets) reports.push(await this.resealTarget(target, batchSize));
    return reports;
  }

  private async resealTarget(target: ResealTarget, batchSize: number): Promise<ResealReport> {
    const failed: ResealReport['failed'] = [];
    const resealer = resealerOf(this.box, (id, reason) => failed.push({ id, reason }));
    const active = this.box.activeKeyId;
    let resealed = 0;
    let after: RowRef | null = null;
    for (;;) {
      const page = await target.toReseal(active, after, batchSize);
      if (page.length === 0) break;
      for (const [tenantId, ids] of groupByTenant(page)) {
        resealed += await target.reseal(tenantId, ids, active, resealer);
      }
      after = page[page.length - 1];
    }
    return { kind: target.kind, resealed, failed, keys: await target.keyCounts() };
  }
}

/** A page is in (tenant, id) order, so each tenant's rows are contiguous. */
function groupByTenant(page: RowRef[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const row of page) {
    const ids = groups.get(row.tenantId);
    if (ids) ids.push(row.id);
    else groups.set(row.tenantId, [row.id]);
  }
  return groups;
}
