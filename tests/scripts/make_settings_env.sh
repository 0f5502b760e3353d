#!/usr/bin/env bash
# Usage: make_settings_env.sh SOURCE_DIR WORK_DIR
# CMake takes make.settings from the environment variable IOTMQTT_MAKE_SETTINGS as cargo does
# (relative to the source dir), and stops when the environment and the build dir disagree.
set -u
src=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
failed=0
settings=tests/tls/settings
expect() { # name, expected text, command...
  local name=$1 want=$2
  shift 2
  local out
  out=$("$@" 2>&1)
  if grep -qF -- "$want" <<<"$out"; then
    echo "ok   $name"
  else
    echo "FAIL $name: expected \"$want\""; echo "$out" | tail -8; failed=1
  fi
}
cfg() { cmake -S "$src" -B "$work/$1" -DIOTMQTT_TESTS=OFF -DIOTMQTT_EXAMPLES=OFF "${@:2}"; }

expect "environment honoured" "make.settings $src/$settings/direct-tls-hal.settings: TLS ON hal" \
  env IOTMQTT_MAKE_SETTINGS=$settings/direct-tls-hal.settings bash -c "$(declare -f cfg); work=$work src=$src cfg a"
expect "same environment again" "TLS ON hal" \
  env IOTMQTT_MAKE_SETTINGS=$settings/direct-tls-hal.settings bash -c "$(declare -f cfg); work=$work src=$src cfg a"
expect "no environment: the build dir's file" "TLS ON hal" \
  env -u IOTMQTT_MAKE_SETTINGS bash -c "$(declare -f cfg); work=$work src=$src cfg a"
expect "another file in the environment stops" "the environment says" \
  env IOTMQTT_MAKE_SETTINGS=$settings/guider-hal.settings bash -c "$(declare -f cfg); work=$work src=$src cfg a"
expect "-D and a different environment stop" "but this build is configured with" \
  env IOTMQTT_MAKE_SETTINGS=$settings/direct-tls-hal.settings bash -c "$(declare -f cfg); work=$work src=$src cfg b -DIOTMQTT_MAKE_SETTINGS=$src/$settings/direct-tls-native.settings"
expect "a missing file stops" "make.settings not found" \
  env IOTMQTT_MAKE_SETTINGS=no/such.settings bash -c "$(declare -f cfg); work=$work src=$src cfg c"
[ $failed -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $failed
