import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'twofold:isPublic';
/** Marks an endpoint that needs no credential. Everything else is guarded by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
