#!/bin/sh
# Make sure VENV is a working virtualenv (Python >= 3.11 with pip); build or rebuild it if not.
#   sh scripts/venv.sh PYTHON VENV        (make venv)
# A virtualenv that lacks pip (e.g. `python3 -m venv` failed half-way on Debian without
# python3-venv, leaving VENV/bin/python behind) is deleted and built again; when building fails,
# nothing is left behind and one line says what to install. Quiet when VENV already works.
set -u
PYTHON=${1:-}
VENV=${2:-.venv}
WORKS='import sys, pip; sys.exit(sys.version_info < (3, 11))'

if [ -f "$VENV/pyvenv.cfg" ] && "$VENV/bin/python" -c "$WORKS" >/dev/null 2>&1; then
    exit 0
fi
if [ -z "$PYTHON" ] || ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "error: no Python found: install Python 3.11 or newer with venv (Debian/Ubuntu: apt install python3 python3-venv), or run make PYTHON=/path/to/python3.11" >&2
    exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
    version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo "unknown")
    echo "error: SummitBot needs Python 3.11 or newer, and $PYTHON is Python $version: install python3.11 (or newer) and run make PYTHON=python3.11" >&2
    exit 1
fi
if [ -e "$VENV" ] || [ -L "$VENV" ]; then
    echo "$VENV is not a working virtualenv (no pip, or Python older than 3.11): rebuilding it" >&2
    rm -rf "$VENV"
fi
log=$(mktemp)
if "$PYTHON" -m venv "$VENV" >"$log" 2>&1 && "$VENV/bin/python" -c "$WORKS" >/dev/null 2>&1; then
    rm -f "$log"
    exit 0
fi
rm -rf "$VENV"
rm -f "$log"
echo "error: $PYTHON -m venv cannot set up pip: install the venv module (Debian/Ubuntu: apt install python3-venv, or python3.X-venv for your version) and run make again" >&2
exit 1
