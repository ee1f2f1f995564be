#!/usr/bin/env bash
# Bundles the action into another directory than dist/ (for trying a change while dist/ stays as
# committed): bash scripts/bundle-to.sh /tmp/mine, then ECS_SHIP_ENTRY=/tmp/mine/dist/index.js npm test.
set -euo pipefail
out=${1:?usage: bundle-to.sh OUT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out/lib" "$out/dist" && mkdir -p "$out"
ln -sfn "$root/node_modules" "$out/node_modules"
cp "$root/package.json" "$out/package.json"
cd "$root"
npx tsc -p tsconfig.build.json --outDir "$out/lib"
npx ncc build "$out/lib/index.js" -o "$out/dist" --target es2022 --no-source-map-register --quiet
