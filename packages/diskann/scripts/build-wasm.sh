#!/bin/sh
# Rebuilds wasm/kernels.wasm from csrc/kernels.c (needs clang-14 and lld-14 from Debian:
#   apt-get install -y clang-14 lld-14). Usage: build-wasm.sh [output-file]
# Reproducible: fixed flags, no debug info, no producers section, no absolute paths embedded.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$here/wasm/kernels.wasm"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
clang-14 --target=wasm32 -msimd128 -matomics -mbulk-memory -O3 -nostdlib -fno-builtin -ffreestanding -g0 \
  -fdebug-prefix-map="$here"=. -c csrc/kernels.c -o "$tmp/kernels.o"
wasm-ld-14 --no-entry --import-memory --shared-memory --max-memory=4294967296 \
  --strip-all --no-gc-sections -z stack-size=65536 \
  "$tmp/kernels.o" -o "$tmp/kernels.wasm"
mkdir -p "$(dirname "$out")"
cp "$tmp/kernels.wasm" "$out"
echo "wrote $out ($(wc -c < "$out") bytes)"
