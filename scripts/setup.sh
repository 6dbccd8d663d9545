#!/usr/bin/env bash
# Installs what the test suite needs on the machine beyond npm packages: Debian's Chromium for
# the browser tests (never a browser download). Safe to run repeatedly.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian chromium for the browser tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: /usr/bin/chromium is missing; install the Debian package 'chromium' (as root: apt-get install chromium)" >&2
    exit 1
  fi
fi
