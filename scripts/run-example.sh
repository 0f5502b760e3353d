#!/usr/bin/env bash
# Runs the V2.10 example end to end against the local platform emulator (no cloud account,
# no internet): builds what is needed, starts the emulator with the example's device
# registered, runs mqtt-example through the HAL redirect, and stops everything it started.
#
#   scripts/run-example.sh          the example with `loop`, until Ctrl-C
#   scripts/run-example.sh --once   one pass, then checks (used by ctest)
#
# IOTMQTT_EXAMPLE_MODE chooses the connection mode of V2.10 (and the make.settings built):
#   tcp     direct MQTT over TCP (the repository's make.settings; the default)
#   tls     direct MQTT over TLS (tests/tls/settings/direct-tls-native.settings)
#   guider  HTTPS pre-authentication, then MQTT over TLS (tests/tls/settings/guider-native.settings)
# In the TLS modes the emulator generates its certificates and the example trusts their CA
# through IOTMQTT_CA_FILE (the iotmqtt extension IOT_SetCACert).
#
# IOTMQTT_EXAMPLE_QEMU=mps2-an386 (Cortex-M4F) or mps2-an385 (Cortex-M3) runs the example built
# for that MCU (cmake/toolchains, hal/mps2) in qemu-system-arm instead, direct TCP only: UART0 is
# the device's connection, QEMU connects it to the emulator's MQTT port.
#
# Environment: IOTMQTT_BUILD_DIR (default build/example-MODE), IOTMQTT_EXAMPLE_BIN (a prebuilt
# mqtt-example of that mode), IOTMQTT_EMULATOR_BIN (a prebuilt iotmqtt-emulator), IOTMQTT_QEMU
# (default qemu-system-arm).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mode=${1:-loop}
conn=${IOTMQTT_EXAMPLE_MODE:-tcp}
build=${IOTMQTT_BUILD_DIR:-$root/build/example-$conn}
case $conn in
  tcp) settings=$root/make.settings ;;
  tls) settings=$root/tests/tls/settings/direct-tls-native.settings ;;
  guider) settings=$root/tests/tls/settings/guider-native.settings ;;
  *) echo "IOTMQTT_EXAMPLE_MODE must be tcp, tls or guider"; exit 2 ;;
esac
machine=${IOTMQTT_EXAMPLE_QEMU:-}
toolchain=""
case $machine in
  "") ;;
  mps2-an386) toolchain=$root/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake ;;
  mps2-an385) toolchain=$root/cmake/toolchains/arm-none-eabi-cortex-m3.cmake ;;
  *) echo "IOTMQTT_EXAMPLE_QEMU must be mps2-an386 or mps2-an385"; exit 2 ;;
esac
if [ -n "$machine" ]; then
  [ "$conn" = tcp ] || { echo "IOTMQTT_EXAMPLE_QEMU runs direct TCP only"; exit 2; }
  build=${IOTMQTT_BUILD_DIR:-$root/build/example-$machine}
fi

PK=yfTuLfBJTiL
DN=TestDeviceForDemo
DS=fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c

# The emulator starts its own mosquitto (Debian installs it in /usr/sbin, not always on PATH).
have_mosquitto() { command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || [ -x /usr/local/sbin/mosquitto ]; }
. "$root/scripts/lib.sh"
if ! have_mosquitto; then
  install_missing mosquitto || true
  have_mosquitto || { echo "the emulator needs mosquitto: install it (Debian: apt-get install mosquitto)"; exit 1; }
fi

if [ -z "${IOTMQTT_EXAMPLE_BIN:-}" ]; then
  install_missing cmake libssl-dev pkg-config
  cmake -S "$root" -B "$build" -DIOTMQTT_TESTS=OFF -DIOTMQTT_MAKE_SETTINGS="$settings" \
    ${toolchain:+-DCMAKE_TOOLCHAIN_FILE="$toolchain"} >/dev/null
  cmake --build "$build" -j 2 --target mqtt-example
  IOTMQTT_EXAMPLE_BIN=$build/mqtt-example
fi
if [ -z "${IOTMQTT_EMULATOR_BIN:-}" ]; then
  CARGO_TARGET_DIR=$build/cargo-emulator cargo build --quiet -p iotmqtt-emulator
  IOTMQTT_EMULATOR_BIN=$build/cargo-emulator/debug/iotmqtt-emulator
fi

work=$(mktemp -d)
listeners=(--mqtt 127.0.0.1:0)
if [ "$conn" != tcp ]; then
  listeners=(--mqtts 127.0.0.1:0 --https 127.0.0.1:0 --generate-certs "$work/certs")
fi
"$IOTMQTT_EMULATOR_BIN" "${listeners[@]}" --device "$PK:$DN:$DS" --log "$work/emulator.log" \
  > "$work/emulator.out" 2> "$work/emulator.err" &
emulator=$!
cleanup() { kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 200); do grep -q '^READY ' "$work/emulator.out" 2>/dev/null && break; sleep 0.05; done
field() { sed -n "s/^READY .*$1=\([^ ]*\).*/\1/p" "$work/emulator.out"; }
case $conn in
  tcp) redirect="*.aliyuncs.com=$(field mqtt)" ;;
  tls) redirect="*.aliyuncs.com=$(field mqtts)" ;;
  guider) redirect="iot-auth.cn-shanghai.aliyuncs.com=$(field https),*.aliyuncs.com=$(field mqtts)" ;;
esac
case $redirect in *=|*=,*) echo "emulator did not start:"; cat "$work/emulator.err"; exit 1 ;; esac
if [ "$conn" != tcp ]; then
  export IOTMQTT_CA_FILE=$work/certs/ca.pem
fi
if [ -n "$machine" ]; then
  mqtt=$(field mqtt)
  echo "emulator ready ($conn); UART0 of the emulated $machine is connected to $mqtt"
else
  echo "emulator ready ($conn); the example's *.aliyuncs.com hosts are redirected: $redirect"
  export IOTMQTT_HAL_REDIRECT=$redirect
fi
# run_example [ARG]: the example on the host, or in QEMU with ARG as its semihosting command line.
run_example() {
  if [ -z "$machine" ]; then
    "$IOTMQTT_EXAMPLE_BIN" "$@"
    return
  fi
  local t=()
  [ "$mode" != "--once" ] || t=(timeout 120)
  "${t[@]}" "${IOTMQTT_QEMU:-qemu-system-arm}" -M "$machine" -display none -monitor none \
    -semihosting-config enable=on,target=native \
    -chardev socket,id=u0,host="${mqtt%:*}",port="${mqtt##*:}",server=off -serial chardev:u0 \
    -kernel "$IOTMQTT_EXAMPLE_BIN" ${1:+-append "$1"}
}

if [ "$mode" != "--once" ]; then
  run_example loop || true
  exit 0
fi

set +e
out=$(run_example 2>&1)
rc=$?
set -e
echo "$out"
echo "--- emulator log"
cat "$work/emulator.log"
fail=0
check() { grep -qE -- "$2" <<<"$1" || { echo "MISSING: $2"; fail=1; }; }
[ $rc -eq 0 ] || { echo "mqtt-example exited with $rc"; fail=1; }
check "$out" "example: published=[1-9][0-9]* received=[1-9]"
check "$out" "Payload '.*data: hello! start!"
check "$out" "out of sample!"
# Nothing of the client is left on the heap after Destroy (the library's own statistics). In the
# TLS modes the CA given to IOT_SetCACert is kept for the process, and OpenSSL sets itself up once.
if [ "$conn" = tcp ]; then check "$out" "bytes_total_in_use: +0\s*$"; fi
# On the MCU the HAL counts too (the example's buffers included) and says what the heap took.
if [ -n "$machine" ]; then check "$out" "^\[hal\] mps2: exit=0 heap_in_use=0 "; fi
log=$(cat "$work/emulator.log")
[ "$(grep -c '^ACCEPT ' <<<"$log")" -eq 1 ] || { echo "expected exactly one session"; fail=1; }
case $conn in
  tcp) check "$log" "^ACCEPT .*transport=tcp securemode=3" ;;
  tls) check "$log" "^ACCEPT .*transport=tls securemode=2" ;;
  guider) check "$log" "^AUTH-OK device=$PK/$DN"; check "$log" "^ACCEPT .*transport=tls securemode=-1 auth=token" ;;
esac
! grep -q '^REFUSE ' <<<"$log" || { echo "a CONNECT was refused"; fail=1; }
! grep -q '^KEEPALIVE-WARN ' <<<"$log" || { echo "keepalive warning"; fail=1; }
if [ $fail -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
