#!/bin/sh
# Fails when the committed wasm/kernels.wasm differs from a fresh build of csrc/kernels.c.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$here/scripts/build-wasm.sh" "$tmp/kernels.wasm" >/dev/null
if cmp -s "$tmp/kernels.wasm" "$here/wasm/kernels.wasm"; then
  echo "wasm/kernels.wasm is up to date"
else
  echo "wasm/kernels.wasm differs from csrc/kernels.c: run pnpm --filter @hh/diskann build:wasm" >&2
  exit 1
fi
