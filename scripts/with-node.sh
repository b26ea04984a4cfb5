#!/usr/bin/env bash
# Runs node (the project's pinned Node when the machine's is too old) with the given arguments.
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$root/.tools/node/bin/node" ] && export PATH="$root/.tools/node/bin:$PATH"
exec node "$@"
