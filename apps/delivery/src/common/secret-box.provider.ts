import type { Provider } from '@nestjs/common';
import { APP_CONFIG, BaseConfig } from '@twofold/platform/config';
import { parseKeyList, SecretBox } from '@twofold/platform/crypto';

/** Opens the codes the authentication engine sealed (same SECRETS_KEYS). */
export const secretBoxProvider: Provider = {
  provide: SecretBox,
  inject: [APP_CONFIG],
  useFactory: (config: BaseConfig) =>
    new SecretBox(parseKeyList(config.SECRETS_KEYS).keys, config.SECRETS_ACTIVE_KEY_ID),
};
