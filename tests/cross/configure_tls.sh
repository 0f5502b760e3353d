#!/usr/bin/env bash
# Usage: configure_tls.sh SOURCE_DIR WORK_DIR TOOLCHAIN_FILE
# Configure-time behaviour of TLS cross builds for a Linux gateway: native TLS without the
# target's OpenSSL stops with how to provide it; TLS through HAL_SSL_* configures without
# OpenSSL (the library needs none) and says the reference HAL's HAL_SSL_* are left out.
set -u
src=$1 work=$2 toolchain=$3
rm -rf "$work"
failed=0
expect() { # name, rc (0 or 1), expected text, settings
  local out rc
  out=$(cmake -S "$src" -B "$work/$1" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DIOTMQTT_TESTS=OFF \
        -DIOTMQTT_MAKE_SETTINGS="$src/tests/tls/settings/$4.settings" 2>&1)
  rc=$?
  [ $rc -eq 0 ] || rc=1
  if [ $rc -eq "$2" ] && grep -qF -- "$3" <<<"$out"; then
    echo "ok   $1"
  else
    echo "FAIL $1: rc=$rc (want $2), expected \"$3\""; echo "$out" | tail -12; failed=1
  fi
}
expect native-refused 1 "-DIOTMQTT_TARGET_OPENSSL_DIR=" direct-tls-native
expect hal-configures 0 "hal_posix is built without HAL_SSL_*" direct-tls-hal
[ $failed -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $failed
