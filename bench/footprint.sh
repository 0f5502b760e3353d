#!/usr/bin/env bash
# Usage: bench/footprint.sh --lib LIBIOTMQTT_A --hal LIBHAL_POSIX_A [--tls-lib TLS_LIBIOTMQTT_A
#        [--tls-hal TLS_LIBHAL_POSIX_A]] [--work DIR]
#
# What libiotmqtt.a adds to a firmware image (issue 6 "Footprint"): c_examples/mqtt-example.c
# linked with -ffunction-sections -fdata-sections -Wl,--gc-sections and stripped, once against
# libiotmqtt.a and once against bench/footprint_stubs.c (the same IOT_* functions, empty); the
# difference of Berkeley `size` text/data/bss is the library's share. Then a breakdown of the
# added bytes by ELF section (size -A) and by crate / symbol prefix (nm -C -S on the unstripped
# binary, symbols absent from the baseline). Prints Markdown. The TLS build is measured when a
# TLS libiotmqtt.a is given (linked with -lssl -lcrypto; --tls-hal when its HAL needs HAL_SSL_*).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
lib="" hal="" tls_lib="" tls_hal="" work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$2; shift 2 ;;
    --hal) hal=$2; shift 2 ;;
    --tls-lib) tls_lib=$2; shift 2 ;;
    --tls-hal) tls_hal=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "footprint.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$lib" ] && [ -f "$lib" ] || { echo "footprint.sh: --lib libiotmqtt.a missing" >&2; exit 2; }
[ -n "$hal" ] && [ -f "$hal" ] || { echo "footprint.sh: --hal libhal_posix.a missing" >&2; exit 2; }
[ -z "$tls_hal" ] && tls_hal=$hal
if [ -z "$work" ]; then work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work"

CC=${CC:-cc}
cflags=(-Os -std=c99 -D_POSIX_C_SOURCE=200809L -ffunction-sections -fdata-sections -I"$root/include")
ldflags=(-Wl,--gc-sections -s)
"$CC" "${cflags[@]}" -c "$root/c_examples/mqtt-example.c" -o "$work/example.o"
"$CC" "${cflags[@]}" -c "$here/footprint_stubs.c" -o "$work/stubs.o"

# link NAME LIB HAL [extra libs...] -> $work/NAME (stripped) and $work/NAME.full (symbols)
link() {
  local name=$1 l=$2 h=$3; shift 3
  "$CC" "$work/example.o" -o "$work/$name.full" "$l" "$h" -Wl,--gc-sections -lpthread -ldl -lm "$@"
  "$CC" "$work/example.o" -o "$work/$name" "$l" "$h" "${ldflags[@]}" -lpthread -ldl -lm "$@"
}
"$CC" "$work/example.o" "$work/stubs.o" -o "$work/base.full" "$hal" -Wl,--gc-sections -lpthread -ldl -lm
"$CC" "$work/example.o" "$work/stubs.o" -o "$work/base" "$hal" "${ldflags[@]}" -lpthread -ldl -lm
link tcp "$lib" "$hal"
[ -n "$tls_lib" ] && link tls "$tls_lib" "$tls_hal" -lssl -lcrypto

berkeley() { size "$1" | awk 'NR == 2 { print $1, $2, $3 }'; }
read -r bt bd bb < <(berkeley "$work/base")

kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }

row() {  # row LABEL BINARY LIMIT_KB
  local t d b
  read -r t d b < <(berkeley "$2")
  local at=$((t - bt)) ad=$((d - bd)) ab=$((b - bb))
  local verdict="pass"
  [ "$at" -le $(($3 * 1024)) ] || verdict="MISS"
  echo "| $1 | $at ($(kb "$at")) | $ad | $ab | ≤ $3 KB | $verdict |"
  echo "FOOTPRINT build=$1 text_added=$at data_added=$ad bss_added=$ab limit_kb=$3 verdict=$verdict" >> "$work/footprint.results"
}

sections() {  # per-section growth of BINARY over the baseline (allocated sections only)
  { size -A "$work/base" | awk 'NR > 2 && $1 ~ /^\./ { print "B", $1, $2 }'
    size -A "$1" | awk 'NR > 2 && $1 ~ /^\./ { print "L", $1, $2 }'; } |
  awk '{ if ($1 == "B") base[$2] = $3; else lib[$2] = $3; names[$2] = 1 }
       END { for (n in names) { d = lib[n] - base[n]; if (d != 0) printf "%d %s\n", d, n } }' |
  sort -rn | awk '$2 !~ /^\.(comment|debug|symtab|strtab|shstrtab)/ { printf "| `%s` | %d |\n", $2, $1 }'
}

crates() {  # growth of sized symbols by crate / prefix (symbols the baseline does not have)
  nm -C -S "$work/base.full" 2>/dev/null | awk 'NF >= 4 { $1 = ""; $2 = ""; $3 = ""; print substr($0, 4) }' | sort -u > "$work/base.syms"
  nm -C -S --size-sort "$1" 2>/dev/null | awk -v basefile="$work/base.syms" '
    function hex(h,   i, v, c) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c } return v }
    BEGIN { while ((getline l < basefile) > 0) base[l] = 1 }
    NF >= 4 {
      size = hex($2); type = $3
      name = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", name)
      if (name in base) next
      if (type ~ /[tTwW]/) kind = "text"; else if (type ~ /[rRvV]/) kind = "rodata"; else kind = "data/bss"
      g = ""
      if (name ~ /^(IOT_|iotx_)/) g = "iotmqtt (exported IOT_*)"
      else if (name ~ /^(HAL_|hal_posix)/) g = "hal_posix (HAL pulled in by the library)"
      else if (name ~ /gimli|addr2line|rustc_demangle|miniz_oxide|adler2|backtrace|object::|symbolize|panicking|panic_|rust_panic|begin_panic/) g = "std panic/backtrace machinery (backtrace, gimli, addr2line, rustc_demangle, miniz_oxide, panicking)"
      else if (name ~ /iotmqtt_engine::/) g = "iotmqtt_engine"
      else if (name ~ /iotmqtt::/) g = "iotmqtt"
      else if (name ~ /mqttbytes::/) g = "mqttbytes"
      else if (name ~ /drop_in_place/) g = "drop glue (core::ptr::drop_in_place<...>)"
      else if (match(name, /[A-Za-z_][A-Za-z0-9_]*::/)) g = substr(name, RSTART, RLENGTH - 2)
      else if (name ~ /^_?rust|^__rust|^__rdl|^__rg/) g = "rust runtime shims"
      else g = "other (C runtime, unnamed)"
      sum[g] += size; k[g, kind] += size; total += size
    }
    END {
      for (g in sum) printf "%d\t%s\t%d\t%d\t%d\n", sum[g], g, k[g, "text"], k[g, "rodata"], k[g, "data/bss"]
      printf "TOTAL\t%d\n", total > "/dev/stderr"
    }' 2> "$work/crates.total" | sort -rn | head -25 |
    awk -F '\t' '{ printf "| %s | %d | %d | %d | %d |\n", $2, $1, $3, $4, $5 }'
}

echo "### Footprint"
echo
echo "Berkeley \`size\` of \`c_examples/mqtt-example.c\` (-Os, -ffunction-sections -fdata-sections," \
     "-Wl,--gc-sections, stripped) linked with libiotmqtt.a, minus the same program linked with" \
     "empty IOT_* stubs (\`bench/footprint_stubs.c\`). Baseline: text $bt, data $bd, bss $bb."
echo
echo "| build | text added | data added | bss added | target (text) | |"
echo "|---|---|---|---|---|---|"
: > "$work/footprint.results"
row "TCP" "$work/tcp" 400
if [ -n "$tls_lib" ]; then row "TLS" "$work/tls" 450; else echo "| TLS | not measured (pass --tls-lib) | | | ≤ 450 KB | |"; fi
for b in tcp $([ -n "$tls_lib" ] && echo tls); do
  echo
  echo "#### What dominates ($b build)"
  echo
  echo "By ELF section (bytes added):"
  echo
  echo "| section | bytes |"
  echo "|---|---|"
  sections "$work/$b"
  echo
  echo "By crate / symbol prefix (sized symbols absent from the baseline, \`nm -C -S\`; bytes):"
  echo
  echo "| crate / prefix | total | text | rodata | data/bss |"
  echo "|---|---|---|---|---|"
  crates "$work/$b.full"
  echo
  echo "Sized symbols add up to $(cut -f2 "$work/crates.total") bytes; the rest of the growth is unwinding tables (\`.eh_frame*\`, \`.gcc_except_table\`), string literals and padding."
  echo
  echo "Largest symbols:"
  echo
  echo '```'
  nm -C -S --size-sort "$work/$b.full" | grep -i ' [tT] ' | tail -15 | awk ' function hex(h,   i, v, c) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c } return v } { printf "%6d %s\n", hex($2), substr($0, index($0, $4)) }' | sort -rn | cut -c1-150
  echo '```'
done
cat "$work/footprint.results" >&2
