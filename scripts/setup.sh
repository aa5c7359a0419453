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

# llama.cpp compiles for the CPU it is built on (-march=native) unless told otherwise, and some
# VMs advertise AMX yet fault on its first instruction: the model dies at its first token
# (SIGSEGV in ldtilecfg). So on x86-64 it is built for AVX2, which every x86-64 machine of the
# last decade runs; set CMAKE_ARGS to choose otherwise. pip's own wheel cache is keyed by the
# source alone, never by these flags, so the wheel is built once into a cache of ours, per flags.
local_model_flags() {
  if [ -n "${CMAKE_ARGS:-}" ]; then echo "$CMAKE_ARGS"
  elif [ "$(uname -m)" = x86_64 ]; then
    echo "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
  fi
}

local_model_requirement() {
  "$VENV/bin/python" -c 'import tomllib
extra = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["local"]
print(next(d for d in extra if d.startswith("llama-cpp-python")).replace("[server]", ""))'
}

install_local_model() {
  "$VENV/bin/python" -c 'import llama_cpp' 2>/dev/null && return 0
  local flags key wheels
  flags="$(local_model_flags)"
  key="$(printf '%s|%s' "$(local_model_requirement)" "$flags" | cksum | cut -d' ' -f1)"
  wheels="${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/llama-cpp-$key"
  if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    echo "The local extra compiles llama-cpp-python once (about 9 minutes on 2 cores) into $wheels."
    CMAKE_ARGS="$flags" "$VENV/bin/pip" wheel -q --no-deps --no-cache-dir -w "$wheels" "$(local_model_requirement)"
  fi
  "$VENV/bin/pip" install -q --no-deps --no-index --find-links "$wheels" llama-cpp-python
}

# SWITCHBOARD_EXTRAS adds optional extras, e.g. "local" for the in-process GGUF model.
install_project() {
  local extras="dev${SWITCHBOARD_EXTRAS:+,$SWITCHBOARD_EXTRAS}"
  local stamp="$VENV/.installed-${extras//,/-}"
  if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then return; fi
  echo "Installing Switchboard [$extras] into $VENV (first run only)…"
  local local_model=":"
  case ",$extras," in *,local,*) local_model=install_local_model ;; esac
  # Build back-ends are chatty on stderr: keep it in a log, and show it only if the install fails.
  local log="$VENV/install.log"
  if ! { "$VENV/bin/pip" install -q --disable-pip-version-check -U pip && $local_model \
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
