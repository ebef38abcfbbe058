export const OPENAPI = {
  title: 'Twofold tenant admin and authentication API',
  description: 'Tenant admin REST API (/v1) and the authentication API of the Twofold MFA service.',
};
