#!/usr/bin/env bash
# `npm run wrangler -- <args>`: the project's wrangler under Node 22.12+ (it
# refuses older Node), for the commands docs/deploy.md shows (login, secrets,
# Time Travel, tail).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ensure-node.sh
. scripts/ensure-node.sh
exec node_modules/.bin/wrangler "$@"
