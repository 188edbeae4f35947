#!/bin/sh
# Renders a Redkit redis.conf: every "#sha256(VARIABLE)" placeholder becomes "#" followed by the
# SHA-256 of that environment variable's value (Redis ACL's hashed-password form), so neither
# the rendered file nor ACL LIST ever shows a password.
#
#   render-redis-conf.sh TEMPLATE OUTPUT                 write OUTPUT (mode 600) and exit
#   render-redis-conf.sh TEMPLATE OUTPUT --exec [ARGS]   then start redis-server OUTPUT ARGS
#                                                        (through the official image's
#                                                        docker-entrypoint.sh when present, which
#                                                        drops root and owns /data)
#
# Every variable a placeholder names must be set, at least 16 characters long, and use only
# A-Z a-z 0-9 . _ ~ - (so the same value also works unescaped inside a redis:// URL; generate
# one with `openssl rand -hex 32`). Otherwise nothing is written and the script exits 1 naming
# the variable. POSIX sh: runs under busybox (redis:7.2-alpine), dash and bash.
set -eu

if [ "$#" -lt 2 ]; then
  echo "usage: $0 TEMPLATE OUTPUT [--exec [redis-server args...]]" >&2
  exit 2
fi
template=$1
output=$2
shift 2

if [ ! -r "$template" ]; then
  echo "render-redis-conf: cannot read template $template" >&2
  exit 1
fi

# the distinct placeholder names, e.g. REDKIT_QUEUE_PASSWORD
# (comment lines are skipped: they may mention the placeholder syntax itself)
names=$(grep -v '^[[:space:]]*#' "$template" | grep -o '#sha256([A-Za-z_][A-Za-z0-9_]*)' | sed 's/^#sha256(\(.*\))$/\1/' | sort -u || true)

script=$(mktemp)
trap 'rm -f "$script"' EXIT
failed=0
for name in $names; do
  # the name matched [A-Za-z_][A-Za-z0-9_]* above, so this eval only reads that variable
  eval "value=\${$name-}"
  if [ -z "$value" ]; then
    echo "render-redis-conf: $name is not set; put a password in it (openssl rand -hex 32)" >&2
    failed=1
    continue
  fi
  case "$value" in
    *[!A-Za-z0-9._~-]*)
      echo "render-redis-conf: $name contains characters other than A-Z a-z 0-9 . _ ~ - (it must also work inside a redis:// URL)" >&2
      failed=1
      continue
      ;;
  esac
  if [ "${#value}" -lt 16 ]; then
    echo "render-redis-conf: $name is ${#value} characters long; use at least 16 (openssl rand -hex 32 gives 64)" >&2
    failed=1
    continue
  fi
  hash=$(printf '%s' "$value" | sha256sum | cut -d ' ' -f 1)
  echo "s/#sha256($name)/#$hash/g" >> "$script"
done
if [ "$failed" -ne 0 ]; then
  exit 1
fi

umask 077
tmp="$output.tmp.$$"
sed -f "$script" "$template" > "$tmp"
if grep -v '^[[:space:]]*#' "$tmp" | grep -q '#sha256('; then
  rm -f "$tmp"
  echo "render-redis-conf: a placeholder in $template was left unrendered" >&2
  exit 1
fi
mv "$tmp" "$output"

if [ "${1-}" = "--exec" ]; then
  shift
  if command -v docker-entrypoint.sh >/dev/null 2>&1; then
    # the official image starts as root and switches to the redis user: let it read the file
    if [ "$(id -u)" = "0" ]; then
      chown redis "$output" 2>/dev/null || true
    fi
    exec docker-entrypoint.sh redis-server "$output" "$@"
  fi
  exec redis-server "$output" "$@"
fi
