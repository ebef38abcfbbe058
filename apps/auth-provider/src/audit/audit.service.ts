import { Injectable } from '@nestjs/common';
import { DbService, decodeCursor, Page } from '@twofold/platform/db';
import { AuditLogRepository, AuditRow } from '@twofold/tenancy/data-access';
import type { AuditQueryDto } from './dto/audit-entry.dto';

@Injectable()
export class AuditService {
  constructor(
    private readonly db: DbService,
    private readonly audit: AuditLogRepository,
  ) {}

  list(tenantId: string, query: AuditQueryDto): Promise<Page<AuditRow>> {
    const after = decodeCursor(query.cursor);
    return this.db.inTenant(tenantId, (scope) =>
      this.audit.list(
        scope,
        {
          action: query.action,
          targetType: query.targetType,
          targetId: query.targetId,
          actorType: query.actorType,
          actorId: query.actorId,
          from: query.from ? new Date(query.from) : undefined,
          to: query.to ? new Date(query.to) : undefined,
        },
        { limit: query.limit ?? 50, cursor: after },
      ),
    );
  }
}
