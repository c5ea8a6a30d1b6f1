#!/usr/bin/env bash
# What the browser tests need, installed where missing: Debian's Chromium and Noto fonts (the
# scripts we ship: Devanagari, Bengali, Arabic), and axe-core from npm. Never a downloaded
# browser. Without root, says exactly what is missing and stops.
set -euo pipefail
cd "$(dirname "$0")"

packages=()
[[ -x /usr/bin/chromium ]] || packages+=(chromium)
dpkg -s fonts-noto-core >/dev/null 2>&1 || packages+=(fonts-noto-core)
command -v npm >/dev/null || packages+=(npm)
if ((${#packages[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "The browser tests need these Debian packages: ${packages[*]}" >&2
    echo "Install them with: sudo apt-get install ${packages[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

if [[ ! -f node_modules/axe-core/axe.min.js ]]; then
  npm ci --silent --no-audit --no-fund
fi
