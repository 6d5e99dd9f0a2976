#!/usr/bin/env bash
# Creates the virtualenv in $1 with $2 (python3), installing Debian's python3-venv if needed,
# then installs the project and its test dependencies with uv.
set -euo pipefail
venv="$1"; py="${2:-python3}"
if ! "$py" -m venv "$venv" 2>/dev/null; then
  echo "python3 -m venv failed; installing Debian's python3-venv..."
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade uv
# --compile-bytecode: imports stay fast even where PYTHONDONTWRITEBYTECODE is set (3-4 s per process otherwise)
"$venv/bin/uv" pip install --quiet --compile-bytecode --python "$venv/bin/python" -e '.[test]'
