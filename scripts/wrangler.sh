#!/usr/bin/env bash
# `npm run wrangler -- <args>`: the project's wrangler under Node 22.12+ (it
# refuses older Node), for the commands docs/deploy.md shows (login, secrets,
# Time Travel, tail). It runs in the caller's directory, so
# `cd pages && bash ../scripts/wrangler.sh pages deploy` uses pages/wrangler.toml.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=ensure-node.sh
. "$root/scripts/ensure-node.sh"
exec "$root/node_modules/.bin/wrangler" "$@"
