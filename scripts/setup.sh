#!/usr/bin/env bash
# Creates .venv and installs the project into it, once per change of pyproject.toml.
# Sourced by ./run and ./test so that each does its own set-up from a fresh clone.
set -euo pipefail

VENV="${SWITCHBOARD_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

need_python() {
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || {
    echo "Switchboard needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
    exit 1
  }
}

make_venv() {
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    # Debian and Ubuntu ship venv separately.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$PYTHON" -m venv "$VENV"
    else
      echo "python3 -m venv failed: install your distribution's python3-venv package." >&2
      exit 1
    fi
  fi
}

# SWITCHBOARD_EXTRAS adds optional extras, e.g. "local" for the in-process GGUF model.
install_project() {
  local extras="dev${SWITCHBOARD_EXTRAS:+,$SWITCHBOARD_EXTRAS}"
  local stamp="$VENV/.installed-${extras//,/-}"
  if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then return; fi
  echo "Installing Switchboard [$extras] into $VENV (first run only)…"
  case ",$extras," in *,local,*)
    echo "The local extra compiles llama-cpp-python once (about 9 minutes on 2 cores); pip caches the wheel." ;;
  esac
  # Build back-ends are chatty on stderr: keep it in a log, and show it only if the install fails.
  local log="$VENV/install.log"
  if ! { "$VENV/bin/pip" install -q --disable-pip-version-check -U pip \
      && "$VENV/bin/pip" install -q --disable-pip-version-check -e ".[$extras]"; } 2>"$log"; then
    cat "$log" >&2
    echo "Installing Switchboard failed (the log above is also in $log)." >&2
    exit 1
  fi
  touch "$stamp"
}

need_python
[ -x "$VENV/bin/python" ] || make_venv
install_project
export PATH="$PWD/$VENV/bin:$PATH"
