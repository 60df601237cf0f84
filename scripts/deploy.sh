#!/usr/bin/env bash
# `npm run deploy`: runs scripts/deploy.ts under Node 22.12+, fetching Node 22
# first when the machine's node is older (as `npm start` does).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ensure-node.sh
. scripts/ensure-node.sh
# The deploy drives the project's own wrangler and builds the dashboard with
# its own vite: without the dependencies it could only fail obscurely.
if [ ! -x node_modules/.bin/wrangler ] || [ ! -x node_modules/.bin/vite ]; then
  echo "deploy: the project's dependencies are not installed. Run \`npm ci\` in $(pwd), then \`npm run deploy\` again." >&2
  exit 1
fi
exec node --disable-warning=ExperimentalWarning scripts/deploy.ts "$@"
