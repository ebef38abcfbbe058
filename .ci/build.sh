#!/usr/bin/env bash
# Compiles every app and lib into dist/ with tsc (decorator metadata for Nest), then rewrites the
# @twofold/* path aliases to relative imports so `node dist/apps/<app>/src/main.js` runs as is.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f libs/platform/db/src/generated/prisma/client.ts ] || npx prisma generate >/dev/null
npx tsc -p tsconfig.build.json
npx tsc-alias -p tsconfig.build.json
