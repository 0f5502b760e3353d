#!/usr/bin/env bash
# Usage: bench/footprint.sh --lib LIBIOTMQTT_A --hal LIBHAL_POSIX_A [--tls-lib TLS_LIBIOTMQTT_A
#        [--tls-hal TLS_LIBHAL_POSIX_A]] [--tls-over-hal-lib A] [--preauth-lib A]
#        [--mcu-lib A] [--mcu-tls-over-hal-lib A] [--mcu-preauth-lib A] [--mcu-run-log FILE]
#        [--work DIR]
#    or: bench/footprint.sh --build DIR [--work DIR]
#
# What libiotmqtt.a adds to a firmware image (README "Footprint"): c_examples/mqtt-example.c
# linked with -Os -ffunction-sections -fdata-sections -Wl,--gc-sections, once against
# libiotmqtt.a and once against bench/footprint_stubs.c (the same IOT_* functions, empty); the
# difference of Berkeley `size` text/data/bss is the library's share. Then a breakdown of the
# added bytes by ELF section (size -A) and by crate / symbol prefix (nm -C -S on the unstripped
# binary, symbols absent from the baseline). Prints Markdown.
#
# x86-64 (cc, glibc, the POSIX HAL): TCP (--lib); TLS with native-tls (--tls-lib, linked with
# -lssl -lcrypto; --tls-hal when its HAL needs HAL_SSL_*); TLS over HAL_SSL_* (--tls-over-hal-lib)
# and HTTPS pre-authentication + TLS over HAL_SSL_* (--preauth-lib), both linked with the empty
# HAL_SSL_* of bench/footprint_ssl_stubs.c: the firmware's TLS stack is not the library's share.
# Cortex-M4F (arm-none-eabi-gcc -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16, newlib-nano,
# hal/mps2 compiled here): the same three from thumbv7em-none-eabihf archives (--mcu-*), plus the
# example's static RAM and, from the output of its QEMU run (--mcu-run-log: what
# `IOTMQTT_EXAMPLE_QEMU=mps2-an386 scripts/run-example.sh --once` prints), its peak heap. Builds
# not given are reported as skipped.
#
# --build DIR builds every configuration first (CMake, release, in DIR; the thumb ones through
# cmake/toolchains/arm-none-eabi-cortex-m4f.cmake), runs the Cortex-M4F example in QEMU against
# the emulator, and measures whatever built: a thumb archive that does not build is skipped with
# the reason. Environment: IOTMQTT_JOBS (default 2), IOTMQTT_EMULATOR_BIN (a prebuilt emulator).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
lib="" hal="" tls_lib="" tls_hal="" work="" tlsh_lib="" pre_lib="" build=""
mcu_lib="" mcu_tlsh_lib="" mcu_pre_lib="" mcu_log=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$2; shift 2 ;;
    --hal) hal=$2; shift 2 ;;
    --tls-lib) tls_lib=$2; shift 2 ;;
    --tls-hal) tls_hal=$2; shift 2 ;;
    --tls-over-hal-lib) tlsh_lib=$2; shift 2 ;;
    --preauth-lib) pre_lib=$2; shift 2 ;;
    --mcu-lib) mcu_lib=$2; shift 2 ;;
    --mcu-tls-over-hal-lib) mcu_tlsh_lib=$2; shift 2 ;;
    --mcu-preauth-lib) mcu_pre_lib=$2; shift 2 ;;
    --mcu-run-log) mcu_log=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "footprint.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$work" ]; then work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work"
mcu_target=thumbv7em-none-eabihf
mcu_skip="no $mcu_target libiotmqtt.a given (--mcu-lib; bench/footprint.sh --build DIR builds one)"

# ---------------------------------------------------------------------------------------------
# --build: every configuration through CMake; copies each archive, since configurations share
# a cargo target dir (and so one archive path) per target.
# ---------------------------------------------------------------------------------------------
if [ -n "$build" ]; then
  mkdir -p "$build/libs"
  build=$(cd "$build" && pwd)
  settings_dir=$root/tests/tls/settings
  m4f=$root/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake
  # build_config NAME SETTINGS TOOLCHAIN|"" TARGET... -> $build/libs/NAME.a (log in $build/NAME.log)
  build_config() {
    local name=$1 settings=$2 tc=$3 cargo_dir archive; shift 3
    if [ -n "$tc" ]; then
      cargo_dir=$build/cargo-mcu; archive=$cargo_dir/$mcu_target/release/libiotmqtt.a
    else
      cargo_dir=$build/cargo-host; archive=$cargo_dir/release/libiotmqtt.a
    fi
    echo "footprint.sh: building $name" >&2
    cmake -S "$root" -B "$build/$name" -DIOTMQTT_TESTS=OFF -DIOTMQTT_MAKE_SETTINGS="$settings" \
      -DIOTMQTT_CARGO_PROFILE=release -DIOTMQTT_CARGO_TARGET_DIR="$cargo_dir" \
      ${tc:+-DCMAKE_TOOLCHAIN_FILE="$tc"} > "$build/$name.log" 2>&1 &&
      cmake --build "$build/$name" -j "${IOTMQTT_JOBS:-2}" --target "$@" >> "$build/$name.log" 2>&1 &&
      cp "$archive" "$build/libs/$name.a"
  }
  build_config host-tcp "$root/make.settings" "" iotmqtt_cargo hal_posix
  lib=$build/libs/host-tcp.a hal=$build/host-tcp/libhal_posix.a
  if build_config host-tls-native "$settings_dir/direct-tls-native.settings" "" iotmqtt_cargo hal_posix; then
    tls_lib=$build/libs/host-tls-native.a tls_hal=$build/host-tls-native/libhal_posix.a
  fi
  build_config host-tls-over-hal "$settings_dir/direct-tls-hal.settings" "" iotmqtt_cargo &&
    tlsh_lib=$build/libs/host-tls-over-hal.a
  build_config host-preauth "$settings_dir/guider-hal.settings" "" iotmqtt_cargo &&
    pre_lib=$build/libs/host-preauth.a
  if build_config m4f-tcp "$root/make.settings" "$m4f" iotmqtt_cargo mqtt-example; then
    mcu_lib=$build/libs/m4f-tcp.a
    build_config m4f-tls-over-hal "$settings_dir/direct-tls-hal.settings" "$m4f" iotmqtt_cargo &&
      mcu_tlsh_lib=$build/libs/m4f-tls-over-hal.a
    build_config m4f-preauth "$settings_dir/guider-hal.settings" "$m4f" iotmqtt_cargo &&
      mcu_pre_lib=$build/libs/m4f-preauth.a
    echo "footprint.sh: running the Cortex-M4F example in QEMU" >&2
    IOTMQTT_EXAMPLE_QEMU=mps2-an386 IOTMQTT_EXAMPLE_BIN=$build/m4f-tcp/mqtt-example \
      IOTMQTT_BUILD_DIR=$build/example-run \
      "$root/scripts/run-example.sh" --once > "$build/m4f-run.log" 2>&1 && mcu_log=$build/m4f-run.log ||
      echo "footprint.sh: the QEMU run failed, see $build/m4f-run.log" >&2
  else
    mcu_skip="cargo could not build libiotmqtt.a for $mcu_target (the no_std port has not landed?): $(grep -m1 -E '^error' "$build/m4f-tcp.log" || echo "see $build/m4f-tcp.log")"
  fi
fi
[ -n "$lib" ] && [ -f "$lib" ] || { echo "footprint.sh: --lib libiotmqtt.a missing" >&2; exit 2; }
[ -n "$hal" ] && [ -f "$hal" ] || { echo "footprint.sh: --hal libhal_posix.a missing" >&2; exit 2; }
[ -z "$tls_hal" ] && tls_hal=$hal

# ---------------------------------------------------------------------------------------------
# Links. link_host/link_mcu NAME LIB [extra...] -> $work/NAME (stripped) and $work/NAME.full
# ---------------------------------------------------------------------------------------------
CC=${CC:-cc}
cflags=(-Os -std=c99 -D_POSIX_C_SOURCE=200809L -ffunction-sections -fdata-sections -I"$root/include")
"$CC" "${cflags[@]}" -c "$root/c_examples/mqtt-example.c" -o "$work/example.o"
"$CC" "${cflags[@]}" -c "$here/footprint_stubs.c" -o "$work/stubs.o"
"$CC" "${cflags[@]}" -c "$here/footprint_ssl_stubs.c" -o "$work/ssl_stubs.o"

# A build that does not link is reported in its row (the linker's first error), not fatal.
link_host() {
  local name=$1 l=$2 h=$3; shift 3
  rm -f "$work/$name" "$work/$name.full"
  "$CC" "$work/example.o" -o "$work/$name.full" "$l" "$h" "$@" -Wl,--gc-sections -lpthread -ldl -lm \
    2> "$work/$name.link.log" &&
    "$CC" "$work/example.o" -o "$work/$name" "$l" "$h" "$@" -Wl,--gc-sections -s -lpthread -ldl -lm ||
    rm -f "$work/$name" "$work/$name.full"
}
link_host base "$work/stubs.o" "$hal"
link_host tcp "$lib" "$hal"
[ -n "$tls_lib" ] && link_host tls "$tls_lib" "$tls_hal" -lssl -lcrypto
[ -n "$tlsh_lib" ] && link_host tls-over-hal "$tlsh_lib" "$hal" "$work/ssl_stubs.o"
[ -n "$pre_lib" ] && link_host preauth "$pre_lib" "$hal" "$work/ssl_stubs.o"

MCU_CC=arm-none-eabi-gcc
mcu_cpu=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
mcu_cflags=("${mcu_cpu[@]}" -Os -std=gnu99 -ffunction-sections -fdata-sections -I"$root/include" -I"$root/hal/mps2" -I"$root/hal/common")
mcu_ldflags=(-Wl,--gc-sections --specs=nano.specs --specs=rdimon.specs -nostartfiles
             -T "$root/hal/mps2/mps2.ld" -Wl,-u,Reset_Handler -Wl,--no-warn-execstack)
have_mcu=0
[ -n "$mcu_lib$mcu_tlsh_lib$mcu_pre_lib" ] && have_mcu=1
if [ $have_mcu = 1 ]; then
  command -v $MCU_CC >/dev/null || { echo "footprint.sh: $MCU_CC not installed" >&2; exit 2; }
  for f in "$root/c_examples/mqtt-example.c:mcu-example.o" "$here/footprint_stubs.c:mcu-stubs.o" \
           "$here/footprint_ssl_stubs.c:mcu-ssl_stubs.o" "$root/hal/mps2/hal_mps2.c:mcu-hal.o" \
           "$root/hal/mps2/startup_mps2.c:mcu-startup.o" "$root/hal/common/hal_print.c:mcu-print.o" \
           "$root/hal/common/hal_identity.c:mcu-identity.o"; do
    $MCU_CC "${mcu_cflags[@]}" -c "${f%%:*}" -o "$work/${f##*:}"
  done
  rm -f "$work/libhal_mps2.a"
  arm-none-eabi-ar rcs "$work/libhal_mps2.a" "$work/mcu-hal.o" "$work/mcu-startup.o" "$work/mcu-print.o" \
    "$work/mcu-identity.o"
fi
link_mcu() {
  local name=$1 l=$2; shift 2
  rm -f "$work/$name" "$work/$name.full"
  $MCU_CC "${mcu_cpu[@]}" "$work/mcu-example.o" -o "$work/$name.full" "$l" "$work/libhal_mps2.a" "$@" \
    "${mcu_ldflags[@]}" -Wl,-Map="$work/$name.map" 2> "$work/$name.link.log" &&
    arm-none-eabi-strip -o "$work/$name" "$work/$name.full" || rm -f "$work/$name" "$work/$name.full"
}
if [ $have_mcu = 1 ]; then
  link_mcu mcu-base "$work/mcu-stubs.o"
  [ -n "$mcu_lib" ] && link_mcu mcu-tcp "$mcu_lib"
  [ -n "$mcu_tlsh_lib" ] && link_mcu mcu-tls-over-hal "$mcu_tlsh_lib" "$work/mcu-ssl_stubs.o"
  [ -n "$mcu_pre_lib" ] && link_mcu mcu-preauth "$mcu_pre_lib" "$work/mcu-ssl_stubs.o"
fi

# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------
tool() { if [ "$1" = mcu ]; then echo "arm-none-eabi-$2"; else echo "$2"; fi; }  # tool FLAVOUR size|nm
base_of() { if [ "$1" = mcu ]; then echo "$work/mcu-base"; else echo "$work/base"; fi; }
berkeley() { "$(tool "$1" size)" "$2" | awk 'NR == 2 { print $1, $2, $3 }'; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
: > "$work/footprint.results"

first_link_error() { grep -m1 -E 'undefined reference|error' "$1" | sed 's/.*: //' | tr -d "\`'" | cut -c1-120; }

row() {  # row FLAVOUR LABEL BINARY LIMIT_KB|-
  local bt bd bb t d b
  if [ ! -f "$3" ]; then
    echo "| $2 | does not link: $(first_link_error "$3.link.log") | | | | MISS |"
    echo "FOOTPRINT target=$1 build=$2 link_failed" >> "$work/footprint.results"
    return
  fi
  read -r bt bd bb < <(berkeley "$1" "$(base_of "$1")")
  read -r t d b < <(berkeley "$1" "$3")
  local at=$((t - bt)) ad=$((d - bd)) ab=$((b - bb)) verdict="" limit="(reported)"
  if [ "$4" != - ]; then
    limit="≤ $4 KB"; verdict=pass
    [ "$at" -le $(($4 * 1024)) ] || verdict=MISS
  fi
  echo "| $2 | $at ($(kb "$at")) | $ad | $ab | $limit | $verdict |"
  echo "FOOTPRINT target=$1 build=$2 text_added=$at data_added=$ad bss_added=$ab limit_kb=$4 verdict=${verdict:-reported}" >> "$work/footprint.results"
}

sections() {  # sections FLAVOUR BINARY: per-section growth over the baseline (allocated sections)
  local sz; sz=$(tool "$1" size)
  { "$sz" -A "$(base_of "$1")" | awk 'NR > 2 && $1 ~ /^\./ { print "B", $1, $2 }'
    "$sz" -A "$2" | awk 'NR > 2 && $1 ~ /^\./ { print "L", $1, $2 }'; } |
  awk '{ if ($1 == "B") base[$2] = $3; else lib[$2] = $3; names[$2] = 1 }
       END { for (n in names) { d = lib[n] - base[n]; if (d != 0) printf "%d %s\n", d, n } }' |
  sort -rn | awk '$2 !~ /^\.(comment|debug|symtab|strtab|shstrtab|ARM\.attributes)/ { printf "| `%s` | %d |\n", $2, $1 }'
}

crates() {  # crates FLAVOUR BINARY.full: growth of sized symbols by crate / prefix
  local nm; nm=$(tool "$1" nm)
  "$nm" -C -S "$(base_of "$1").full" 2>/dev/null | awk 'NF >= 4 { $1 = ""; $2 = ""; $3 = ""; print substr($0, 4) }' | sort -u > "$work/base.syms"
  "$nm" -C -S --size-sort "$2" 2>/dev/null | awk -v basefile="$work/base.syms" '
    function hex(h,   i, v, c) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c } return v }
    BEGIN { while ((getline l < basefile) > 0) base[l] = 1 }
    NF >= 4 {
      size = hex($2); type = $3
      name = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", name)
      if (name in base) next
      if (type ~ /[tTwW]/) kind = "text"; else if (type ~ /[rRvV]/) kind = "rodata"; else kind = "data/bss"
      g = ""
      if (name ~ /^(IOT_|iotx_)/) g = "iotmqtt (exported IOT_*)"
      else if (name ~ /^(HAL_|hal_posix|hal_mps2)/) g = "the HAL (pulled in by the library)"
      else if (name ~ /gimli|addr2line|rustc_demangle|miniz_oxide|adler2|backtrace|object::|symbolize|panicking|panic_|rust_panic|begin_panic/) g = "std panic/backtrace machinery (backtrace, gimli, addr2line, rustc_demangle, miniz_oxide, panicking)"
      else if (name ~ /iotmqtt_engine::/) g = "iotmqtt_engine"
      else if (name ~ /iotmqtt::/) g = "iotmqtt"
      else if (name ~ /mqttbytes::/) g = "mqttbytes"
      else if (name ~ /drop_in_place/) g = "drop glue (core::ptr::drop_in_place<...>)"
      else if (match(name, /[A-Za-z_][A-Za-z0-9_]*::/)) g = substr(name, RSTART, RLENGTH - 2)
      else if (name ~ /^_?rust|^__rust|^__rdl|^__rg/) g = "rust runtime shims"
      else if (name ~ /^__aeabi_|^__u?(div|mod)|^__(add|sub|mul|div|cmp|fix|float|extend|trunc)[sdt]f|^__clz|^__ctz|^__popcount/) g = "compiler runtime (libgcc / compiler_builtins)"
      else g = "other (C library, unnamed)"
      sum[g] += size; k[g, kind] += size; total += size
    }
    END {
      for (g in sum) printf "%d\t%s\t%d\t%d\t%d\n", sum[g], g, k[g, "text"], k[g, "rodata"], k[g, "data/bss"]
      printf "TOTAL\t%d\n", total > "/dev/stderr"
    }' 2> "$work/crates.total" | sort -rn | head -25 |
    awk -F '\t' '{ printf "| %s | %d | %d | %d | %d |\n", $2, $1, $3, $4, $5 }'
}

breakdown() {  # breakdown FLAVOUR NAME TITLE
  local f=$1 b=$2
  echo
  echo "#### What dominates ($3)"
  echo
  echo "By ELF section (bytes added):"
  echo
  echo "| section | bytes |"
  echo "|---|---|"
  sections "$f" "$work/$b"
  echo
  echo "By crate / symbol prefix (sized symbols absent from the baseline, \`nm -C -S\`; bytes):"
  echo
  echo "| crate / prefix | total | text | rodata | data/bss |"
  echo "|---|---|---|---|---|"
  crates "$f" "$work/$b.full"
  echo
  echo "Sized symbols add up to $(cut -f2 "$work/crates.total") bytes; the rest of the growth is unwinding tables (\`.eh_frame*\`, \`.gcc_except_table\`, \`.ARM.exidx\`), string literals and padding."
  echo
  echo "Largest symbols:"
  echo
  echo '```'
  "$(tool "$f" nm)" -C -S --size-sort "$work/$b.full" | grep -i ' [tT] ' | tail -15 | awk ' function hex(h,   i, v, c) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c } return v } { printf "%6d %s\n", hex($2), substr($0, index($0, $4)) }' | sort -rn | cut -c1-150
  echo '```'
}

read -r bt bd bb < <(berkeley host "$work/base")
echo "### Footprint"
echo
echo "Berkeley \`size\` of \`c_examples/mqtt-example.c\` (-Os, -ffunction-sections -fdata-sections," \
     "-Wl,--gc-sections, stripped) linked with libiotmqtt.a, minus the same program linked with" \
     "empty IOT_* stubs (\`bench/footprint_stubs.c\`). TLS over HAL and pre-authentication link the" \
     "empty HAL_SSL_* of \`bench/footprint_ssl_stubs.c\`."
echo
echo "x86-64 (cc, glibc, hal/posix). Baseline: text $bt, data $bd, bss $bb."
echo
echo "| build | text added | data added | bss added | target (text) | |"
echo "|---|---|---|---|---|---|"
row host "TCP" "$work/tcp" 64
if [ -n "$tls_lib" ]; then row host "TLS (native-tls)" "$work/tls" 450; else echo "| TLS (native-tls) | not measured (pass --tls-lib) | | | ≤ 450 KB | |"; fi
if [ -n "$tlsh_lib" ]; then row host "TLS over HAL_SSL" "$work/tls-over-hal" -; else echo "| TLS over HAL_SSL | not measured (pass --tls-over-hal-lib) | | | | |"; fi
if [ -n "$pre_lib" ]; then row host "pre-auth + TLS over HAL_SSL" "$work/preauth" -; else echo "| pre-auth + TLS over HAL_SSL | not measured (pass --preauth-lib) | | | | |"; fi
echo
if [ $have_mcu = 1 ]; then
  read -r mt md mb < <(berkeley mcu "$work/mcu-base")
  echo "Cortex-M4F ($mcu_target; arm-none-eabi-gcc ${mcu_cpu[*]} -Os, newlib-nano, hal/mps2)." \
       "Baseline: text $mt, data $md, bss $mb."
  echo
  echo "| build | text added | data added | bss added | target (text) | |"
  echo "|---|---|---|---|---|---|"
  if [ -n "$mcu_lib" ]; then row mcu "TCP" "$work/mcu-tcp" 40; else echo "| TCP | not measured (pass --mcu-lib) | | | ≤ 40 KB | |"; fi
  if [ -n "$mcu_tlsh_lib" ]; then row mcu "TLS over HAL_SSL" "$work/mcu-tls-over-hal" -; else echo "| TLS over HAL_SSL | not measured (pass --mcu-tls-over-hal-lib) | | | | |"; fi
  if [ -n "$mcu_pre_lib" ]; then row mcu "pre-auth + TLS over HAL_SSL" "$work/mcu-preauth" -; else echo "| pre-auth + TLS over HAL_SSL | not measured (pass --mcu-preauth-lib) | | | | |"; fi
  if [ -f "$work/mcu-tcp" ]; then
    read -r t d b < <(berkeley mcu "$work/mcu-tcp")
    stack=$(sed -n 's/^ *0x0*\([0-9a-f]*\) *__stack_size__ = .*/\1/p' "$work/mcu-tcp.map" | head -1)
    echo
    echo "RAM of the example on the Cortex-M4F (TCP build):"
    echo
    echo "| | bytes |"
    echo "|---|---|"
    echo "| static RAM (.data + .bss) of the whole example | $((d + b)) (the library's share: $(( (d + b) - (md + mb) ))) |"
    echo "| main stack reserved by \`hal/mps2/mps2.ld\` | $((16#${stack:-4000})) |"
    if [ -n "$mcu_log" ] && [ -f "$mcu_log" ]; then
      lib_peak=$(sed -n 's/.*bytes_max_in_use: *\([0-9]*\).*/\1/p' "$mcu_log" | tail -1)
      hal_line=$(grep -m1 '^\[hal\] mps2: ' "$mcu_log" || true)
      hal_peak=$(sed -n 's/.* heap_peak=\([0-9]*\).*/\1/p' <<<"$hal_line")
      sbrk=$(sed -n 's/.* sbrk=\([0-9]*\).*/\1/p' <<<"$hal_line")
      echo "| peak heap of the library (\`IOT_DumpMemoryStats\` bytes_max_in_use, QEMU run) | ${lib_peak:-?} |"
      echo "| peak \`HAL_Malloc\` bytes (the library + the example's two 1 KB buffers) | ${hal_peak:-?} |"
      echo "| newlib heap taken from \`_sbrk\` (high-water mark, with malloc overhead and the mutexes) | ${sbrk:-?} |"
      echo "FOOTPRINT target=mcu build=RAM static_ram=$((d + b)) lib_heap_peak=${lib_peak:-} hal_heap_peak=${hal_peak:-} sbrk=${sbrk:-}" >> "$work/footprint.results"
    else
      echo "| peak heap | not measured (pass --mcu-run-log: the output of \`IOTMQTT_EXAMPLE_QEMU=mps2-an386 scripts/run-example.sh --once\`) |"
    fi
  fi
else
  echo "Cortex-M4F: skipped — $mcu_skip."
  echo "FOOTPRINT target=mcu skipped" >> "$work/footprint.results"
fi
for b in tcp tls tls-over-hal preauth; do
  if [ -f "$work/$b" ]; then breakdown host "$b" "x86-64, $b build"; fi
done
for b in tcp tls-over-hal preauth; do
  if [ -f "$work/mcu-$b" ]; then breakdown mcu "mcu-$b" "Cortex-M4F, $b build"; fi
done
cat "$work/footprint.results" >&2
