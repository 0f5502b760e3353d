#!/usr/bin/env bash
# Runs mqtt-example once and asserts from its output that it connected, published, received
# its own messages back, unsubscribed, and left no HAL memory in use.
# Usage: check_example.sh [EMULATOR ARGS...] MQTT_EXAMPLE (qemu-user for a cross-built example)
set -u
out=$("$@" 2>&1)
rc=$?
echo "$out"
fail=0
check() { grep -qE -- "$1" <<<"$out" || { echo "MISSING in output: $1"; fail=1; }; }
[ $rc -eq 0 ] || { echo "mqtt-example exited with $rc"; fail=1; }
check "example: published=[1-9][0-9]* received=[1-9]"
check "out of sample!"
check "bytes_total_in_use: +0\s*$"
check "Payload '.*data: hello! start!"
if [ $fail -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
