#!/usr/bin/env bash
# The microcontroller phases of scripts/test-all.sh (README "Firmware: Cortex-M and other bare-metal targets"), which runs this script when
# IOTMQTT_MCU=1; it also runs alone. Installs the arm-none-eabi toolchain, newlib and
# qemu-system-arm and the two thumb Rust targets when missing, runs clippy for thumbv7em and
# thumbv7m, builds libiotmqtt.a for both CPUs through cmake/toolchains, checks that each archive
# imports nothing but HAL_* and the C library, and runs the HAL self-test and the V2.10 example
# against the emulator in QEMU (mps2-an386 Cortex-M4F, mps2-an385 Cortex-M3).
# Environment: IOTMQTT_BUILD_DIR (default build/ci, shared with test-all.sh), IOTMQTT_JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${IOTMQTT_BUILD_DIR:-$root/build/ci}
jobs=${IOTMQTT_JOBS:-2}

. "$root/scripts/lib.sh"

phase "MCU: packages and Rust targets"
install_missing gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm cmake python3
targets="thumbv7em-none-eabihf thumbv7m-none-eabi"
# shellcheck disable=SC2086 # one word per target
add_rust_targets $targets
phase_end

phase "MCU: cargo clippy (thumbv7em, thumbv7m)"
for t in $targets; do
  CARGO_TARGET_DIR=$build/cargo-test cargo clippy -p iotmqtt -p iotmqtt-engine --lib --target "$t" \
    --quiet -- -D warnings
done
phase_end

# Both CPUs share one cargo target dir (a subdirectory per target), and the emulator comes from
# the host tests' target dir (already built when test-all.sh ran the host ctest).
for cpu in cortex-m4f:thumbv7em-none-eabihf cortex-m3:thumbv7m-none-eabi; do
  name=${cpu%%:*} triple=${cpu##*:}
  phase "MCU: build, imports, ctest in QEMU ($name, $triple)"
  cmake -S "$root" -B "$build/mcu-$name" \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/arm-none-eabi-$name.cmake" \
    -DIOTMQTT_CARGO_PROFILE=release -DIOTMQTT_TEST_TARGET_DIR="$build/cargo-test" \
    -DIOTMQTT_CARGO_TARGET_DIR="$build/cargo-mcu" >/dev/null
  cmake --build "$build/mcu-$name" -j "$jobs"
  "$root/scripts/check-archive-imports.sh" arm-none-eabi- "$build/cargo-mcu/$triple/release/libiotmqtt.a"
  (cd "$build/mcu-$name" && ctest -j "$jobs" --output-on-failure --timeout 600)
  phase_end
done
