#!/usr/bin/env bash
# `npm run deploy`: runs scripts/deploy.ts under Node 22.12+, fetching Node 22
# first when the machine's node is older (as `npm start` does).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ensure-node.sh
. scripts/ensure-node.sh
exec node --disable-warning=ExperimentalWarning scripts/deploy.ts "$@"
