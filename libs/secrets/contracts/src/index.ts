/**
 * The encryption contexts (AES-256-GCM additional authenticated data) of every sealed secret, in one
 * place. The AAD binds a ciphertext to its row: a ciphertext copied to another row, user or tenant
 * does not open. Sealing and opening sides (the engine, the delivery worker, imports, the reseal
 * command) must agree byte for byte, so each context is defined once, here.
 */

/** An authenticator app's TOTP seed (device_activations.seed_ciphertext). */
export function deviceSeedAad(tenantId: string, userId: string, deviceId: string): string {
  return `device:${tenantId}:${userId}:${deviceId}`;
}

/** An authenticator app's device secret, the proof of its answers (device_activations.secret_ciphertext). */
export function deviceSecretAad(tenantId: string, userId: string, deviceId: string): string {
  return `device-secret:${tenantId}:${userId}:${deviceId}`;
}

/** An imported OATH token's shared secret (oath_tokens.secret_ciphertext). */
export function oathSecretAad(tenantId: string, tokenId: string): string {
  return `oath:${tenantId}:${tokenId}`;
}

/** A one-time code on its way to the sender: the job's copy and the message's outbox row. */
export function codeAad(tenantId: string, messageId: string): string {
  return `code:${tenantId}:${messageId}`;
}

/** A tenant admin's TOTP seed (admins.totp_seed_ciphertext, docs/decisions/0031). */
export function adminTotpAad(tenantId: string, adminId: string): string {
  return `admin-totp:${tenantId}:${adminId}`;
}
