#!/usr/bin/env bash
# Makes the virtual environment on the given interpreter (again, when it was made on another one)
# and installs pmworkbook in it with its test and Dask extras.
#   scripts/venv.sh PYTHON VENV
set -euo pipefail
python=$1
venv=$2
base() { "$1" -c 'import os, sys; print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))'; }

wanted=$(base "$python")
if [[ -x "$venv/bin/python" ]]; then
  current=$(base "$venv/bin/python" || true)
  if [[ "$current" != "$wanted" ]]; then
    echo "pmworkbook: $venv runs on ${current:-a missing interpreter}; making it again on $wanted"
    rm -rf "$venv"
  fi
fi
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e '.[test,dask]'
