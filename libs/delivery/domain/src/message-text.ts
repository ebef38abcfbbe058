/** Used when the tenant has no template of its own. */
export const DEFAULT_SMS_TEMPLATE = 'Your verification code is {code}. It expires in 3 minutes. Never share it.';

/** The SMS body: the tenant's template (checked in the database to contain `{code}`) or the default. */
export function smsBody(template: string | null, code: string): string {
  const t = template && template.includes('{code}') ? template : DEFAULT_SMS_TEMPLATE;
  return t.split('{code}').join(code);
}

/** What the voice call says: the code digit by digit ("1, 2, 3"), so speech engines never read "123" as a number. */
export function spokenDigits(code: string): string {
  return [...code].join(', ');
}

/** How many times the call reads the code. */
export const VOICE_REPEATS = 2;
