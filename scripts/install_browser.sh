#!/usr/bin/env bash
# Install Debian's Chromium (the browser tests' engine) and firefox-esr (the second
# engine the static edition is checked in), when they are missing and we may.
# Playwright's own `playwright install` cannot download browsers on our machines.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's ${missing[*]} for the browser tests (a minute or two)..."
  apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit $?
fi
echo "Note: ${missing[*]} missing and this user cannot install it;"
echo "      the browser tests that need it will be skipped"
echo "      (install it with: sudo apt-get install ${missing[*]})."
exit 0
