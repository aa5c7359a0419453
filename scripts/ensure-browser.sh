#!/usr/bin/env bash
# Makes a Chromium available to the browser tests.
# Prefers the system's Chromium (Debian: apt-get install chromium); otherwise asks
# Playwright to download its own build, which works wherever the internet is reachable.
set -euo pipefail

for candidate in "${SWITCHBOARD_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then exit 0; fi
done

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi

echo "No system Chromium found: downloading Playwright's build…"
python -m playwright install chromium
