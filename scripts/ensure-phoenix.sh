#!/usr/bin/env bash
# Makes Arize Phoenix available to the OTLP export tests: the real receiver they post spans to
# (tests/phoenix.py starts it on loopback). Phoenix pins many packages, so it gets a virtualenv of
# its own, never the project's, kept per version in the user's cache so that every clone shares it.
# The first install takes a few minutes; after that the stamp makes this a no-op.
# SWITCHBOARD_PHOENIX_VENV chooses another folder (tests/phoenix.py reads the same variable).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"

# The pin lives in pyproject.toml ([tool.switchboard.test-receivers]), which the tests read too.
requirement="$("$PYTHON" -c 'import tomllib
print(tomllib.load(open("pyproject.toml", "rb"))["tool"]["switchboard"]["test-receivers"]["phoenix"])')"
version="${requirement##*==}"
venv="${SWITCHBOARD_PHOENIX_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/phoenix-$version}"
stamp="$venv/.installed"

if [ -f "$stamp" ] && [ -x "$venv/bin/phoenix" ]; then exit 0; fi

echo "Installing $requirement into $venv for the OTLP export tests (first run only, a few minutes)…"
mkdir -p "$(dirname "$venv")"
if ! "$PYTHON" -m venv "$venv" 2>/dev/null; then
  # Debian and Ubuntu ship venv separately.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    "$PYTHON" -m venv "$venv"
  else
    echo "python3 -m venv failed: install your distribution's python3-venv package." >&2
    exit 1
  fi
fi
# pip is chatty on stderr: keep it in a log, and show it only if the install fails.
log="$venv/install.log"
if ! "$venv/bin/pip" install -q --disable-pip-version-check "$requirement" 2>"$log"; then
  cat "$log" >&2
  echo "Installing Phoenix failed (the log above is also in $log)." >&2
  exit 1
fi
touch "$stamp"
