import type { ClientBase } from 'pg';

/**
 * `count` more users of the tenant, each with what a registered user has on the hot tables: an SMS
 * method, an active authenticator device, an app password and an assigned OATH token. With them, a
 * statement that finds the fixture user's rows through the tenant instead of through the user reads
 * every one of these. The admin pages get their history too: an audit entry per user, a seat in
 * `poolId` for each, and a tenth as many unassigned tokens on the shelf. Users are created a minute
 * apart, the newest a minute ago. Returns the new users' ids (for seedHistory's userIds). Owner
 * connection.
 */
export async function seedDirectory(
  client: ClientBase,
  tenantId: string,
  count: number,
  poolId: string,
): Promise<string[]> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO users (tenant_id, id, user_name, first_name, last_name, email, phone, mfa_enabled,
         default_method, created_at, updated_at)
       SELECT $1::uuid, gen_random_uuid(), 'user' || g || '@contoso.example', 'First' || g, 'Last' || g,
              'user' || g || '@contoso.example', '+1206555' || lpad((g % 10000)::text, 4, '0'), g % 10 <> 0, 'sms',
              now() - make_interval(mins => g), now()
         FROM generate_series(1, $2::int) g
       RETURNING id::text`,
      [tenantId, count],
    );
    const ids = rows.map((r) => r.id);
    await client.query(
      `INSERT INTO user_methods (tenant_id, id, user_id, method, phone)
       SELECT u.tenant_id, gen_random_uuid(), u.id, 'sms', u.phone FROM users u WHERE u.tenant_id = $1::uuid AND u.id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
    await client.query(
      `INSERT INTO device_activations (tenant_id, id, user_id, device_token, seed_ciphertext, key_id, active)
       SELECT u.tenant_id, gen_random_uuid(), u.id, 'device-' || u.id, sha256(uuid_send(u.id)), 'k1', true
         FROM users u WHERE u.tenant_id = $1::uuid AND u.id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
    await client.query(
      `INSERT INTO app_passwords (tenant_id, id, user_id, name, password_hash)
       SELECT u.tenant_id, gen_random_uuid(), u.id, 'mail', 'scrypt$history' FROM users u
        WHERE u.tenant_id = $1::uuid AND u.id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
    await client.query(
      `INSERT INTO oath_tokens (tenant_id, id, serial, secret_ciphertext, key_id, assigned_user_id, updated_at)
       SELECT u.tenant_id, gen_random_uuid(), 'HIST-' || u.id, sha256(uuid_send(u.id)), 'k1', u.id, now()
         FROM users u WHERE u.tenant_id = $1::uuid AND u.id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
    await client.query(
      `INSERT INTO oath_tokens (tenant_id, id, serial, secret_ciphertext, key_id, created_at, updated_at)
       SELECT $1::uuid, gen_random_uuid(), 'SHELF-' || g, sha256(int4send(g)), 'k1', now() - make_interval(mins => g), now()
         FROM generate_series(1, $2::int) g`,
      [tenantId, Math.ceil(count / 10)],
    );
    await client.query(
      `INSERT INTO license_assignments (tenant_id, id, pool_id, user_id, assigned_at)
       SELECT u.tenant_id, gen_random_uuid(), $3::uuid, u.id, u.created_at FROM users u
        WHERE u.tenant_id = $1::uuid AND u.id = ANY($2::uuid[])`,
      [tenantId, ids, poolId],
    );
    await client.query(
      `INSERT INTO audit_log (tenant_id, id, occurred_at, actor_type, actor_id, action, target_type, target_id,
         correlation_id, details)
       SELECT u.tenant_id, gen_random_uuid(), u.created_at, 'api_key', 'history', 'user.create', 'user', u.id::text,
              gen_random_uuid()::text, jsonb_build_object('userName', u.user_name)
         FROM users u WHERE u.tenant_id = $1::uuid AND u.id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
    await client.query('COMMIT');
    return ids;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
