#!/usr/bin/env bash
# Prints the interpreter for pmworkbook's virtual environment: the system's own python3 when it is
# 3.10 or newer, else the python3 on PATH.
#
# Why the system's: Debian builds its Python with profile-guided and link-time optimisation, and a
# python3 compiled without them (pyenv's default, often first on PATH) runs pmworkbook's pure-Python
# work (WeasyPrint's layout, Papermill, the kernels) slower: a 20-client build took 10% more CPU
# time on the same packages (bench/throughput.py, 2026-11-23). `make PYTHON=...` chooses another.
set -euo pipefail
for candidate in /usr/bin/python3 python3; do
  if path=$(command -v "$candidate") && "$path" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
echo python3  # none is new enough: let the venv step say so
