#!/usr/bin/env bash
# Usage: prelink_size.sh BUILD_DIR [CC]
# Whole-program text of V2.10 programs (tests/adopt/v210_app.c, c_examples/mqtt-example.c) built
# by the V2.10 Makefile (no --gc-sections) against BUILD_DIR's output/release, with libiot_sdk.a
# pre-linked (the default) and as cargo made it (IOTMQTT_V210_PRELINK=OFF); and, for reference,
# the same objects linked with --gc-sections. Reconfigures BUILD_DIR back to pre-linking at the end.
set -eu
build=$(cd "$1" && pwd) cc=${2:-cc}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
release=$build/output/release
text() { size "$1" | awk 'NR == 2 {print $1}'; }
layout() {
  cmake -S "$root" -B "$build" -DIOTMQTT_V210_PRELINK="$1" >/dev/null
  cmake --build "$build" --target v210-layout >/dev/null 2>&1
}
printf '%-14s %12s %12s %12s\n' program pre-linked "as is" "as is + gc"
for app in "$here/v210_app.c" "$root/c_examples/mqtt-example.c"; do
  name=$(basename "$app" .c)
  row=()
  for mode in ON OFF; do
    layout $mode
    make -s -C "$work" -f "$here/v210-makefile/Makefile" SDK_DIR="$build" APP_SRC="$app" CC="$cc" >/dev/null
    row+=("$(text "$work/v210_app")")
    if [ $mode = OFF ]; then
      "$cc" -Os -D_POSIX_C_SOURCE=200809L -I"$release/include" -o "$work/gc" "$app" -L"$release/lib" \
        -liot_sdk -liot_platform -lpthread -lrt -Wl,--gc-sections
      row+=("$(text "$work/gc")")
    fi
    rm -f "$work/v210_app"
  done
  printf '%-14s %12s %12s %12s\n' "$name" "${row[@]}"
done
layout ON
