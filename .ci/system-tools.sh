#!/usr/bin/env bash
# Debian tools the tests use as independent oracles (oathtool for TOTP/HOTP, python3-pskc and
# pskctool for PSKC files) and docker-compose (v1, to check docker-compose.yml without an engine).
# Installed when missing; needs root (or sudo) and the Debian mirror.
set -euo pipefail
if command -v oathtool >/dev/null && command -v pskctool >/dev/null && /usr/bin/python3 -c 'import pskc' 2>/dev/null \
  && command -v docker-compose >/dev/null && /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
  exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq oathtool python3-pskc pskctool docker-compose python3-yaml >/dev/null
