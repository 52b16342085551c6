#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests, when it is missing and we may.
# Playwright's own `playwright install` cannot download browsers on our machines.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (about a minute)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit $?
fi
echo "Note: /usr/bin/chromium is missing and this user cannot install it;"
echo "      the browser tests will be skipped (install it with: sudo apt-get install chromium)."
exit 0
