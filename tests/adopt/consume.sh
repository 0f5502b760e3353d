#!/usr/bin/env bash
# Usage: consume.sh MODE WORK_DIR WHERE [CMAKE_ARGS...]
# Builds tests/adopt/v210_app.c in WORK_DIR the way an integrator consumes iotmqtt, then runs
# it (under tests/scripts/with_mosquitto.sh, which redirects *.aliyuncs.com to a private broker):
#   subdirectory   WHERE = iotmqtt's source: add_subdirectory (tests/adopt/consumer)
#   fetchcontent   WHERE = iotmqtt's source: FetchContent_MakeAvailable with that source
#   find_package   WHERE = an install prefix (cmake --install): find_package(iotmqtt CONFIG)
#   pkg-config     WHERE = an install prefix: cc v210_app.c $(pkg-config --cflags --libs iotmqtt) -lhal_posix
#   v210-makefile  WHERE = the SDK directory holding output/release: the V2.10 Makefile, unchanged
# CMAKE_ARGS go to the consumer's configure (the parent build passes its make.settings, cargo
# profile and cargo target dir, so the subproject reuses the archive cargo already built).
set -eu
mode=$1 work=$2 where=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
run() { echo "+ $*"; "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
app=$work/v210_app

case $mode in
  subdirectory|fetchcontent|find_package)
    case $mode in
      subdirectory) args=(-DV210_CONSUME=subdirectory "-DV210_IOTMQTT_DIR=$where") ;;
      fetchcontent) args=(-DV210_CONSUME=fetchcontent "-DFETCHCONTENT_SOURCE_DIR_IOTMQTT=$where") ;;
      find_package) args=(-DV210_CONSUME=find_package "-DCMAKE_PREFIX_PATH=$where") ;;
    esac
    run cmake -S "$here/consumer" -B "$work/build" "${args[@]}" "$@"
    run cmake --build "$work/build" -j 2
    app=$work/build/v210_app
    # A subproject builds the library, not iotmqtt's tests or example, and needs no C++.
    tests=$(cd "$work/build" && ctest -N | sed -n 's/^Total Tests: //p')
    [ "${tests:-0}" -eq 0 ] || fail "the consumer's build registered $tests iotmqtt tests"
    [ ! -e "$work/build/iotmqtt/mqtt-example" ] && [ ! -e "$work/build/_deps/iotmqtt-build/mqtt-example" ] \
      || fail "the consumer's build built mqtt-example"
    ! grep -q '^CMAKE_CXX_COMPILER:' "$work/build/CMakeCache.txt" || fail "C++ was enabled"
    ;;
  pkg-config)
    export PKG_CONFIG_PATH=$where/lib/pkgconfig
    flags=$(pkg-config --cflags --libs iotmqtt) || fail "pkg-config finds no iotmqtt in $PKG_CONFIG_PATH"
    # shellcheck disable=SC2086
    run cc -std=c99 -Wall -Wextra -Werror -o "$app" "$here/v210_app.c" $flags -lhal_posix
    ;;
  v210-makefile)
    cp "$here/v210-makefile/Makefile" "$here/v210_app.c" "$work/"
    out=$(make -C "$work" SDK_DIR="$where" 2>&1) || { echo "$out"; fail "make"; }
    echo "$out"
    ! grep -q -- '--gc-sections' <<<"$out" || fail "the V2.10 link must not use --gc-sections"
    # Pre-linked: nothing of the library but the IOT_* exports is global.
    others=$(nm -g --defined-only "$where/output/release/lib/libiot_sdk.a" | awk 'NF == 3 && $3 !~ /^IOT_/')
    [ -z "$others" ] || fail "libiot_sdk.a defines globals other than IOT_*: $others"
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac

out=$("$app" 2>&1) && rc=0 || rc=$?
echo "$out" | tail -20
[ $rc -eq 0 ] && grep -q '^v210_app: ok' <<<"$out" || fail "v210_app ($mode) exited $rc"
size "$app" | tail -1
echo "1 passed, 0 failed"
