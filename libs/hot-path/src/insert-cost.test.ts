import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@twofold/platform/testing';

/**
 * Issue 17, "PostgreSQL's own cost" (docs/decisions/0030): what an insert into each table an
 * authentication writes pays, as the migrated schema has it. Every index is one more entry per row
 * (a partial one only for the rows its predicate holds), every foreign key one more index lookup and
 * a FOR KEY SHARE lock on the parent row, every trigger one more call. A new index, foreign key or
 * trigger on these tables changes this list: argue it in a decision record (which query needs it,
 * what it costs per authentication) and update the list with it.
 */
const HOT_TABLES = ['authentications', 'authentication_records', 'usage_ledger', 'messages'];

const EXPECTED = {
  indexes: [
    // R26: one record per authentication (ON CONFLICT DO NOTHING of the close lands here).
    'authentication_records.authentication_records_authentication_id_tenant_id_occurred_key (authentication_id, tenant_id, occurred_at) unique',
    // Primary key; the reports' and the retention purge's time ranges per tenant.
    'authentication_records.authentication_records_pkey (tenant_id, occurred_at, id) unique',
    // Per-user billing (billable users of a provider) and the report filtered by provider.
    'authentication_records.authentication_records_provider_id_tenant_id_occurred_at_idx (provider_id, tenant_id, occurred_at)',
    // The report filtered by user name (decision 0017).
    'authentication_records.authentication_records_unique_id_tenant_id_occurred_at_id_idx (unique_id, tenant_id, occurred_at, id)',
    // The sweeper: pending authentications past their expiry.
    "authentications.authentications_pending_expires_at_idx (expires_at) WHERE (status = 'pending'::authentication_status)",
    'authentications.authentications_pkey (tenant_id, id) unique',
    // A deleted user's authentications (ON DELETE CASCADE) and its pending ones (R26 user_deleted).
    'authentications.authentications_user_id_tenant_id_idx (user_id, tenant_id)',
    // The verification's latest delivery status, the delivery worker's messages of an authentication.
    'messages.messages_authentication_id_tenant_id_created_at_id_idx (authentication_id, tenant_id, created_at, id)',
    // The outbox sweeper (decision 0019).
    'messages.messages_outbox_idx (created_at) WHERE (code_ciphertext IS NOT NULL)',
    'messages.messages_pkey (tenant_id, id) unique',
    // Carrier callbacks find the message by SID; a queued message has none (decision 0030).
    'messages.messages_twilio_sid_key (twilio_sid) WHERE (twilio_sid IS NOT NULL) unique',
    // The usage relay's failed rows (operator retry), then its pending rows.
    'usage_ledger.usage_ledger_failed_idx (tenant_id, failed_at, id) WHERE ((failed_at IS NOT NULL) AND (reported_at IS NULL) AND (skipped_reason IS NULL))',
    // R2: one usage row per authentication (ON CONFLICT DO NOTHING of the start lands here).
    'usage_ledger.usage_ledger_idempotency_key_tenant_id_period_start_key (idempotency_key, tenant_id, period_start) unique',
    'usage_ledger.usage_ledger_pending_idx (tenant_id, occurred_at, id) WHERE ((reported_at IS NULL) AND (skipped_reason IS NULL) AND (failed_at IS NULL))',
    // Primary key; reports and finance read a tenant's months.
    'usage_ledger.usage_ledger_pkey (tenant_id, period_start, id) unique',
    // A provider's closed user-months.
    "usage_ledger.usage_ledger_user_months_idx (provider_id, tenant_id, period_start) WHERE (kind = 'user_month'::usage_kind)",
  ],
  foreignKeys: [
    // The provider, server and user of an authentication: integrity the domain reads back (the
    // record's snapshot, wrong_server R12, the user's deletion cascades, R26 user_deleted).
    'authentications.authentications_tenant_id_provider_id_fkey FOREIGN KEY (tenant_id, provider_id) REFERENCES providers(tenant_id, id) ON UPDATE CASCADE ON DELETE RESTRICT',
    'authentications.authentications_tenant_id_server_id_fkey FOREIGN KEY (tenant_id, server_id) REFERENCES mfa_servers(tenant_id, id) ON UPDATE CASCADE ON DELETE RESTRICT',
    'authentications.authentications_tenant_id_user_id_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE',
    // Money: every usage row is billed to its provider's customer (R2, R10).
    'usage_ledger.usage_ledger_tenant_id_provider_id_fkey FOREIGN KEY (tenant_id, provider_id) REFERENCES providers(tenant_id, id) ON UPDATE CASCADE ON DELETE RESTRICT',
  ],
  triggers: [] as string[],
};

describe('what each insert of an authentication pays (issue 17, decision 0030)', () => {
  let tdb: TestDatabase;
  let admin: Client;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    admin = new Client({ connectionString: tdb.adminUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await tdb?.drop();
  });

  it('has the indexes, foreign keys and triggers decision 0030 lists, and no other', async () => {
    const indexes = await admin.query<{ line: string }>(
      `SELECT c.relname || '.' || i.relname || ' ' ||
              substring(pg_get_indexdef(i.oid) FROM 'USING btree (.*)$') ||
              CASE WHEN x.indisunique THEN ' unique' ELSE '' END AS line
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
        WHERE c.relname = ANY($1) ORDER BY 1`,
      [HOT_TABLES],
    );
    const foreignKeys = await admin.query<{ line: string }>(
      `SELECT conrelid::regclass::text || '.' || conname || ' ' || pg_get_constraintdef(oid) AS line
         FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY($1) ORDER BY 1`,
      [HOT_TABLES],
    );
    // Triggers a row of these tables fires on insert or update, besides the foreign keys' own.
    const triggers = await admin.query<{ line: string }>(
      `SELECT tgrelid::regclass::text || '.' || tgname AS line FROM pg_trigger
        WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY($1) ORDER BY 1`,
      [HOT_TABLES],
    );
    expect({
      indexes: indexes.rows.map((r) => r.line),
      foreignKeys: foreignKeys.rows.map((r) => r.line),
      triggers: triggers.rows.map((r) => r.line),
    }).toEqual(EXPECTED);
  });

  it('every partition has its parent’s indexes and nothing more', async () => {
    const { rows } = await admin.query<{ partition: string; parent: number; own: number }>(
      `SELECT p.inhrelid::regclass::text AS partition,
              (SELECT count(*) FROM pg_index WHERE indrelid = p.inhparent)::int AS parent,
              (SELECT count(*) FROM pg_index WHERE indrelid = p.inhrelid)::int AS own
         FROM pg_inherits p WHERE p.inhparent::regclass::text IN ('authentication_records', 'usage_ledger')`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.parent !== r.own)).toEqual([]);
  });
});
