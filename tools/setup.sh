#!/usr/bin/env bash
# tools/setup.sh: installs the Debian 12 packages casex builds and tests with.
# Idempotent: installs only what is missing; safe to run on every build.
set -euo pipefail
PACKAGES=(
  build-essential cmake pkg-config python3
  python3-jsonschema python3-yaml python3-pip python3-setuptools python3-venv
  libyaml-cpp-dev libboost1.81-dev libboost-json1.81-dev
  libfmt-dev libssl-dev catch2 libcli11-dev libbenchmark-dev valgrind time curl wrk
  clang libclang-rt-14-dev clang-format clang-tidy
  chromium chromium-driver python3-selenium fonts-dejavu-core
  neovim
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
