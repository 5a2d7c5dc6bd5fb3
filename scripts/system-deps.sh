#!/usr/bin/env bash
# The Debian packages Lesson Loop's tests and reports need, in one place.
#   scripts/system-deps.sh          install what is missing (as root), or say how
#   scripts/system-deps.sh --list   print the package names
set -euo pipefail

PACKAGES=(
  postgresql            # the tests start a throwaway cluster (initdb + pg_ctl)
  chromium              # the PWA tests drive Debian's Chromium through Playwright
  webkit2gtk-driver xvfb   # and WebKitGTK (MiniBrowser under Xvfb) through Selenium: docs/browsers.md
  dbus-daemon python3-dbus python3-gi   # reminder tests: a notification server Chromium shows to
  poppler-utils         # pdftoppm/pdftotext: report pages rendered to PNG in the tests
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint's text layout
  fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji  # report fonts, any script
  nginx                 # make serve-cluster, the cluster test and the load test: one address
)
# axe-core (accessibility checks) comes from npm. Our machines carry Node already, from a
# package that also provides npm; Debian's own are installed only where there is none.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

if [[ "${1:-}" == "--list" ]]; then
  echo "${PACKAGES[@]}"
  exit 0
fi

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
