# One image for every Twofold process; docker-compose picks the entrypoint per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 SCARF_ANALYTICS=false NX_NO_CLOUD=true NX_DAEMON=false
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.base.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY apps ./apps
COPY libs ./libs
COPY .ci ./.ci
# Dev dependencies stay: the migrate service runs the Prisma CLI from this image.
RUN bash .ci/build.sh

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production CHECKPOINT_DISABLE=1
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/prisma.config.ts /app/package.json ./
# Export files (reporting and its worker share them through a named volume mounted here): a new
# volume takes this directory's owner, so the non-root user can write there.
RUN mkdir -p /var/lib/twofold/exports && chown -R node:node /var/lib/twofold
USER node
CMD ["node", "dist/apps/auth-provider/src/main.js"]
