#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium (browser tests), OpenLDAP's slapd and
# ldap-utils (LDAP sync tests and bench start a throwaway slapd) and PostgreSQL 15 (CI's second
# run, against a real server). Skips what is already installed.
# Runs apt-get as root, or through sudo when available.
set -euo pipefail

need=()
[ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapadd >/dev/null 2>&1 || need+=(ldap-utils)
if [ "${LATTICE_WITH_POSTGRES_SERVER:-0}" = "1" ] && [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  need+=(postgresql-15)
fi
[ ${#need[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-system-deps: need root (or sudo) to install: ${need[*]}" >&2
    exit 1
  fi
fi
echo "install-system-deps: installing ${need[*]}"
# Install services without starting them (slapd, postgresql): tests start throwaway servers of
# their own, and a system daemon left running would outlive the test run. policy-rc.d is
# Debian's switch for that; ours is removed again afterwards.
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  made_policy=1
fi
cleanup() { [ "$made_policy" = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d; return 0; }
trap cleanup EXIT
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
