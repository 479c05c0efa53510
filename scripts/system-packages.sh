#!/usr/bin/env bash
# Installs the Debian packages pmworkbook needs, or names them when it cannot.
#   scripts/system-packages.sh build   Python's venv module, WeasyPrint's Pango libraries and the document fonts (emoji too)
#   scripts/system-packages.sh test    the above plus poppler-utils (pdftotext, pdffonts), chromium and LibreOffice Calc
set -euo pipefail

build=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)
test=(poppler-utils chromium libreoffice-calc-nogui python3-uno)  # pdftotext/pdffonts; the browser the widget tests drive;
# LibreOffice and its Python bridge, in which a test fills an evaluation form as a rater would

case "${1:-build}" in
  build) wanted=("${build[@]}") ;;
  test) wanted=("${build[@]}" "${test[@]}") ;;
  *) echo "usage: $0 build|test" >&2; exit 64 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "pmworkbook: not a Debian system; make sure these (or your system's equivalents) are installed: ${wanted[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "pmworkbook: these Debian packages are missing: ${missing[*]}" >&2
  echo "pmworkbook: install them as root:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "pmworkbook: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
