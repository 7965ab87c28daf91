#!/usr/bin/env bash
# tests/serve/systemd_verify.sh CASEX UNIT: examples/casex.service passes
# `systemd-analyze verify` with not one warning (its ExecStart pointed at the
# casex under test), runs `casex serve`, and keeps its hardening settings.
# Exit 77 (skipped) without systemd-analyze.
set -euo pipefail
casex=$1 unit=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/local/bin/casex|$casex|" "$unit" > "$work/casex.service"
grep -q "^ExecStart=$casex serve " "$work/casex.service" || { echo "ExecStart is not casex serve"; exit 1; }
for setting in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
                "ExecReload=/bin/kill -HUP \$MAINPID" CapabilityBoundingSet= RestrictAddressFamilies=; do
  grep -q "^$setting" "$unit" || { echo "$unit lacks $setting"; exit 1; }
done
out=$(systemd-analyze verify --man=no "$work/casex.service" 2>&1) || { echo "$out"; exit 1; }
[ -z "$out" ] || { echo "systemd-analyze verify warns:"; echo "$out"; exit 1; }
echo "examples/casex.service verified"
