#!/usr/bin/env bash
# Usage: scripts/check-archive-imports.sh TOOL_PREFIX ARCHIVE
#   (TOOL_PREFIX: "arm-none-eabi-" for the thumb archives, "" for the host's binutils)
# Fails when ARCHIVE (a libiotmqtt.a) references a symbol it does not define itself other than
# HAL_* and the C library functions below, which is what a firmware must supply; and when an
# object still carries LLVM bitcode (binutils' nm/ar, with LLVM's plugin installed, then read
# that object as symbol-less, and this check would be blind to it).
set -euo pipefail
prefix=$1 archive=$2
# The C library the library may use: memory and string primitives (with the ARM EABI's names
# for them, which newlib provides), and abort() (the panic path: one line through HAL_Printf,
# then abort).
allowed_c="abort bcmp memcmp memcpy memmove memset strlen
  __aeabi_memcpy __aeabi_memcpy4 __aeabi_memcpy8 __aeabi_memmove __aeabi_memmove4 __aeabi_memmove8
  __aeabi_memset __aeabi_memset4 __aeabi_memset8 __aeabi_memclr __aeabi_memclr4 __aeabi_memclr8"
allowed_c=$(echo $allowed_c)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"${prefix}objdump" -h "$archive" > "$work/sections"
if grep -q '\.llvmbc' "$work/sections"; then
  echo "$archive: objects with LLVM bitcode (.llvmbc) left:"
  awk '/file format/ { obj = $1 } /\.llvmbc/ { print "  " obj }' "$work/sections" | head
  exit 1
fi
"${prefix}nm" --defined-only "$archive" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$work/defined"
"${prefix}nm" -u "$archive" 2>/dev/null | awk 'NF == 2 { print $1, $2 }' | sort -u -k2 > "$work/undefined"
fail=0
while read -r kind sym; do
  grep -qxF -- "$sym" "$work/defined" && continue
  case $sym in HAL_*) echo "  HAL   $sym"; continue ;; esac
  if [[ " $allowed_c " == *" $sym "* ]]; then echo "  libc  $sym"; continue; fi
  if [ "$kind" = w ]; then echo "  weak  $sym (optional)"; continue; fi
  echo "  NOT ALLOWED  $sym"
  fail=1
done < "$work/undefined"
if [ $fail -eq 0 ]; then
  echo "$archive: references only HAL_* and the C library ($allowed_c)"
else
  echo "$archive: references symbols outside HAL_* and the C library"
fi
exit $fail
