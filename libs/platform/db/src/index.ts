export * from './db.service';
export * from './db.module';
export * from './db-errors';
export * from './pagination';
export { Prisma } from './generated/prisma/client';
export type * from './generated/prisma/client';
export * from './clock';
export * from './sql-fragment';
export * from './ids';
