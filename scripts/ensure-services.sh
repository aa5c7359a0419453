#!/usr/bin/env bash
# Makes the servers the scale-out tests start on loopback available: Debian's Postgres 15 and
# Redis (chromadb's `chroma run` comes with the Python install). Installs them when run as root;
# otherwise the tests that need them skip, naming what is missing.
set -euo pipefail

missing=()
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || missing+=(postgresql-15)
command -v redis-server >/dev/null || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the scale-out tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts the services it installs; the tests start their own on free ports instead.
  service postgresql stop >/dev/null 2>&1 || true
  service redis-server stop >/dev/null 2>&1 || true
else
  echo "Not installing ${missing[*]} (not root): the tests that need them will skip."
fi
