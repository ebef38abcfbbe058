/**
 * R11: the authentication methods, one vocabulary for the directory (which methods a user has and a
 * tenant allows) and the authentication engine (which method a sign-in uses). In the order defaults
 * are chosen when the user has none (strongest first).
 */
export const AUTH_METHODS = ['app_notification', 'app_code', 'oath_token', 'sms', 'voice', 'app_password'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
