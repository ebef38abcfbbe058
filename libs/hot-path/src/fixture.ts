import { randomBytes, randomUUID } from 'node:crypto';
import type { ClientBase } from 'pg';
import { authenticationUsageKey, monthStartUtc } from '@twofold/billing/domain';
import { formatServerCredential, hashCredential } from '@twofold/providers/domain';
import { formatApiKey, hashApiKey } from '@twofold/tenancy/domain';

/**
 * One tenant with one of everything a hot path touches: a linked per-authentication provider with a
 * Stripe subscription, an MFA server, an API key, a user with an SMS method, an authenticator
 * device, an app password and an OATH token, a pending SMS authentication with its queued message
 * and its unreported usage row, a license pool. Written as the owner (no RLS), the way an integration test's
 * fixtures are.
 */
export interface HotPathFixture {
  tenantId: string;
  providerId: string;
  serverId: string;
  /** The raw credentials, as a caller sends them. */
  apiKey: string;
  serverCredential: string;
  userId: string;
  userName: string;
  phone: string;
  deviceId: string;
  deviceToken: string;
  appPasswordId: string;
  oathTokenId: string;
  authenticationId: string;
  messageId: string;
  twilioSid: string;
  usageId: string;
  usagePeriodStart: Date;
  licensePoolId: string;
}

export async function seedFixture(admin: ClientBase, now = new Date()): Promise<HotPathFixture> {
  const f: HotPathFixture = {
    tenantId: randomUUID(),
    providerId: randomUUID(),
    serverId: randomUUID(),
    apiKey: formatApiKey(randomBytes(32)),
    serverCredential: formatServerCredential(randomBytes(32)),
    userId: randomUUID(),
    userName: 'alice@contoso.example',
    phone: '+12025550143',
    deviceId: randomUUID(),
    deviceToken: `device-${randomUUID()}`,
    appPasswordId: randomUUID(),
    oathTokenId: randomUUID(),
    authenticationId: randomUUID(),
    messageId: randomUUID(),
    twilioSid: `SM${randomBytes(16).toString('hex')}`,
    usageId: randomUUID(),
    usagePeriodStart: monthStartUtc(now),
    licensePoolId: randomUUID(),
  };
  const customerId = randomUUID();
  await admin.query('BEGIN');
  try {
    await admin.query(
      `INSERT INTO tenants (id, name, data_region, tier, updated_at) VALUES ($1, 'Contoso', 'eu', 'standard', now())`,
      [f.tenantId],
    );
    await admin.query(
      `INSERT INTO providers (tenant_id, id, name, billing_model, linked_tenant_id, updated_at)
       VALUES ($1, $2, 'Contoso MFA', 'per_authentication', $1, now())`,
      [f.tenantId, f.providerId],
    );
    await admin.query(
      `INSERT INTO mfa_servers (tenant_id, id, provider_id, name, credential_hash, ip_address, updated_at)
       VALUES ($1, $2, $3, 'mfa-01', $4, '10.0.0.5', now())`,
      [f.tenantId, f.serverId, f.providerId, hashCredential(f.serverCredential)],
    );
    await admin.query(
      `INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash) VALUES ($1, gen_random_uuid(), 'app', 'tfk_', $2)`,
      [f.tenantId, hashApiKey(f.apiKey)],
    );
    await admin.query(
      `INSERT INTO users (tenant_id, id, user_name, first_name, last_name, email, phone, mfa_enabled, default_method, updated_at)
       VALUES ($1, $2, $3, 'Alice', 'Liddell', $3, $4, true, 'sms', now())`,
      [f.tenantId, f.userId, f.userName, f.phone],
    );
    await admin.query(
      `INSERT INTO user_methods (tenant_id, id, user_id, method, phone) VALUES ($1, gen_random_uuid(), $2, 'sms', $3)`,
      [f.tenantId, f.userId, f.phone],
    );
    await admin.query(
      `INSERT INTO device_activations (tenant_id, id, user_id, device_token, seed_ciphertext, key_id, active)
       VALUES ($1, $2, $3, $4, $5, 'k1', true)`,
      [f.tenantId, f.deviceId, f.userId, f.deviceToken, randomBytes(48)],
    );
    await admin.query(
      `INSERT INTO app_passwords (tenant_id, id, user_id, name, password_hash) VALUES ($1, $2, $3, 'mail', 'scrypt$x')`,
      [f.tenantId, f.appPasswordId, f.userId],
    );
    await admin.query(
      `INSERT INTO oath_tokens (tenant_id, id, serial, secret_ciphertext, key_id, assigned_user_id, updated_at)
       VALUES ($1, $2, 'OATH-0001', $3, 'k1', $4, now())`,
      [f.tenantId, f.oathTokenId, randomBytes(48), f.userId],
    );
    await admin.query(
      `INSERT INTO authentications (tenant_id, id, provider_id, user_id, user_name, method, status, code_hash,
         sends_count, phone, expires_at, correlation_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'sms', 'pending', 'hash', 1, $6, $7, 'fixture', now())`,
      [f.tenantId, f.authenticationId, f.providerId, f.userId, f.userName, f.phone, new Date(now.getTime() + 180_000)],
    );
    await admin.query(
      `INSERT INTO messages (tenant_id, id, authentication_id, provider_id, user_id, channel, status, to_phone,
         country, twilio_sid, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'sms', 'sent', $6, 'US', $7, now())`,
      [f.tenantId, f.messageId, f.authenticationId, f.providerId, f.userId, f.phone, f.twilioSid],
    );
    await admin.query(
      `INSERT INTO usage_ledger (tenant_id, id, provider_id, kind, idempotency_key, period_start, subject_id, occurred_at)
       VALUES ($1, $2, $3, 'authentication', $4, $5, $6, $7)`,
      [
        f.tenantId,
        f.usageId,
        f.providerId,
        authenticationUsageKey(f.authenticationId),
        f.usagePeriodStart,
        f.authenticationId,
        now,
      ],
    );
    await admin.query(
      `INSERT INTO stripe_customers (tenant_id, id, owner_type, owner_id, stripe_customer_id, updated_at)
       VALUES ($1, $2, 'tenant', $1, $3, now())`,
      [f.tenantId, customerId, `cus_${randomBytes(8).toString('hex')}`],
    );
    await admin.query(
      `INSERT INTO stripe_subscriptions (tenant_id, id, provider_id, customer_id, stripe_subscription_id,
         stripe_price_id, status, updated_at)
       VALUES ($1, gen_random_uuid(), $2, $3, $4, 'price_auth', 'active', now())`,
      [f.tenantId, f.providerId, customerId, `sub_${randomBytes(8).toString('hex')}`],
    );
    await admin.query(
      `INSERT INTO license_pools (tenant_id, id, name, seats, term_start, term_end, updated_at)
       VALUES ($1, $2, 'annual', 100000, $3, $4, now())`,
      [f.tenantId, f.licensePoolId, new Date(now.getTime() - 86_400_000), new Date(now.getTime() + 364 * 86_400_000)],
    );
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK');
    throw error;
  }
  return f;
}
