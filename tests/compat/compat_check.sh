#!/usr/bin/env bash
# Usage: compat_check.sh MODE SRC_DIR INCLUDE_DIR LIBIOTMQTT OUT_DIR
#   MODE c      gcc -std=c99 -Wall -Wextra -Werror: compile v210_api.c and v210_hal.c, link with
#               libiotmqtt.a BEFORE the HAL object, -Wl,--gc-sections -lpthread -ldl -lm; run it.
#   MODE cxx    the same with g++ -x c++ (the program is then C++ calling the C library).
#   MODE ilp32  $IOTMQTT_ILP32_CC (default i686-linux-gnu-gcc; words, e.g. "gcc -m32") -std=c99
#               -Wall -Wextra -Werror -fsyntax-only on both files.
# The link proves a program that provides only the TCP-only HAL (no HAL_SSL_*, no HAL_iTLS_*)
# links against libiotmqtt.a.
set -eu
mode=$1 src=$2 inc=$3 lib=$4 out=$5
mkdir -p "$out"
run() { echo "+ $*"; "$@"; }
case "$mode" in
  c)
    run gcc -std=c99 -Wall -Wextra -Werror -I "$inc" -c "$src/v210_api.c" -o "$out/v210_api.o"
    run gcc -std=c99 -Wall -Wextra -Werror -I "$inc" -c "$src/v210_hal.c" -o "$out/v210_hal.o"
    run gcc -o "$out/v210_compat_c" "$out/v210_api.o" "$lib" "$out/v210_hal.o" \
        -Wl,--gc-sections -lpthread -ldl -lm
    if nm "$out/v210_hal.o" | grep -E ' T HAL_(SSL|iTLS)_' ; then
      echo "FAIL: the TCP-only HAL must not define HAL_SSL_*/HAL_iTLS_*"; exit 1
    fi
    run "$out/v210_compat_c"
    ;;
  cxx)
    run g++ -Wall -Wextra -Werror -x c++ -I "$inc" -c "$src/v210_api.c" -o "$out/v210_api_cxx.o"
    run g++ -Wall -Wextra -Werror -x c++ -I "$inc" -c "$src/v210_hal.c" -o "$out/v210_hal_cxx.o"
    run g++ -o "$out/v210_compat_cxx" "$out/v210_api_cxx.o" "$lib" "$out/v210_hal_cxx.o" \
        -Wl,--gc-sections -lpthread -ldl -lm
    run "$out/v210_compat_cxx"
    ;;
  ilp32)
    read -r -a cc <<<"${IOTMQTT_ILP32_CC:-i686-linux-gnu-gcc}"
    run "${cc[@]}" -E -dM -x c /dev/null | grep -q '__SIZEOF_POINTER__ 4' || { echo "FAIL: ${cc[*]} is not ILP32"; exit 1; }
    run "${cc[@]}" -std=c99 -Wall -Wextra -Werror -fsyntax-only -I "$inc" "$src/v210_api.c"
    run "${cc[@]}" -std=c99 -Wall -Wextra -Werror -fsyntax-only -I "$inc" "$src/v210_hal.c"
    echo "1 passed, 0 failed"
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
