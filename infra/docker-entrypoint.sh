#!/bin/sh
# The image's entrypoint: the first argument picks what this container runs.
set -eu
cd /app
command="${1:-help}"
[ $# -gt 0 ] && shift
case "$command" in
  auth-server) exec node auth-server/src/main.ts "$@" ;;
  vector-api) exec node vector-api/src/main.ts "$@" ;;
  migrate-auth) exec node auth-server/src/migrate.ts "$@" ;;
  migrate-vector) exec node vector-api/src/migrate.ts "$@" ;;
  migrate)
    node auth-server/src/migrate.ts
    exec node vector-api/src/migrate.ts ;;
  admin) exec node scripts/admin-cli.ts "$@" ;;
  help|--help|-h)
    echo "usage: <image> auth-server | vector-api | migrate | migrate-auth | migrate-vector | admin <args>"
    exit 0 ;;
  *)
    echo "unknown command: $command (auth-server, vector-api, migrate, migrate-auth, migrate-vector, admin)" >&2
    exit 64 ;;
esac
