import { Injectable } from '@nestjs/common';
import { DbService, decodeCursor } from '@twofold/platform/db';
import { AuditLogRepository } from '@twofold/tenancy/data-access';

@Injectable()
export class AuditService {
  constructor(
    private readonly db: DbService,
    private readonly audit: AuditLogRepository,
  ) {}

  list(tenantId: string, limit: number, cursor?: string) {
    const after = decodeCursor(cursor);
    return this.db.inTenant(tenantId, (scope) => this.audit.list(scope, { limit, cursor: after }));
  }
}
