#!/usr/bin/env bash
# Runs every check and test on a fresh Debian machine with Rust: installs what is missing,
# then rustfmt, clippy, the C build with -Werror, and the whole ctest suite (cargo tests,
# C tests against a private mosquitto, the example end to end). Prints the time of each phase.
# Then the Linux gateway cross build (armv7, the example under qemu-arm against mosquitto) and the
# microcontroller phases of scripts/test-mcu.sh: thumb archives, their imports, the HAL
# and the example in QEMU (IOTMQTT_MCU=0 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${IOTMQTT_BUILD_DIR:-$root/build/ci}
jobs=${IOTMQTT_JOBS:-2}

. "$root/scripts/lib.sh"
total_start=$(date +%s)

phase "packages"
# gcc-i686-linux-gnu for the ILP32 ABI checks: gcc-multilib would remove the ARM cross compilers.
install_missing cmake mosquitto mosquitto-clients libmosquitto-dev libssl-dev pkg-config \
  gcc-i686-linux-gnu valgrind openssl python3 gcc-arm-linux-gnueabihf qemu-user
add_rust_targets armv7-unknown-linux-gnueabihf
phase_end

phase "cargo fmt --check"
cargo fmt --all -- --check
phase_end

phase "cargo clippy (every make.settings configuration)"
export CARGO_TARGET_DIR=$build/cargo-test
cargo clippy --workspace --all-targets --quiet -- -D warnings
tls_settings=$root/tests/tls/settings
for config in direct-tls-native:tls-native direct-tls-hal:tls-hal guider-native:tls-native guider-hal:tls-hal; do
  IOTMQTT_MAKE_SETTINGS=$tls_settings/${config%%:*}.settings \
    cargo clippy -p iotmqtt --all-targets --quiet --features "${config##*:}" -- -D warnings
done
unset CARGO_TARGET_DIR
phase_end

phase "build (make.settings: direct TCP, release + LTO, C with -Werror)"
cmake -S "$root" -B "$build/tcp" -DIOTMQTT_CARGO_PROFILE=release >/dev/null
cmake --build "$build/tcp" -j "$jobs"
phase_end

phase "ctest (direct TCP: every test; the Rust tests run under coverage in the next phase)"
(cd "$build/tcp" && ctest -j "$jobs" -E '^cargo_test$' --output-on-failure --timeout 900)
phase_end

# Assurance (README "How it is checked"): the workspace's Rust tests with the line-coverage gate, every fuzz
# target for a bounded time, the C tests under ASan+UBSan, the engine's tests under Miri.
phase "assurance: coverage gate, fuzzing, ASan+UBSan, Miri"
IOTMQTT_BUILD_DIR=$build IOTMQTT_JOBS=$jobs "$root/scripts/assurance.sh"
phase_end

# The TLS configurations: TLS-native in release with LTO (a shipping configuration), the others
# in the debug profile. Their tests are the tls_* ones; everything else ran above.
for config in direct-tls-native:release direct-tls-hal:dev guider-native:dev guider-hal:dev; do
  name=${config%%:*}
  phase "build and ctest: $name (${config##*:})"
  cmake -S "$root" -B "$build/$name" -DIOTMQTT_MAKE_SETTINGS="$tls_settings/$name.settings" \
    -DIOTMQTT_CARGO_PROFILE="${config##*:}" -DIOTMQTT_TEST_TARGET_DIR="$build/cargo-test" \
    -DIOTMQTT_CARGO_TARGET_DIR="$build/cargo-tls-${config##*:}" >/dev/null
  cmake --build "$build/$name" -j "$jobs"
  (cd "$build/$name" && ctest -j "$jobs" -R '^tls_' --output-on-failure --timeout 600)
  phase_end
done

# A Linux gateway: libiotmqtt.a for armv7 through cmake/toolchains, the HAL self-test and the
# example under qemu-arm against a private mosquitto on the host (tests/cross).
phase "cross gateway: build and ctest under qemu-arm (armv7-unknown-linux-gnueabihf)"
cmake -S "$root" -B "$build/cross-armhf" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/arm-linux-gnueabihf.cmake" \
  -DIOTMQTT_CARGO_PROFILE=release -DIOTMQTT_CARGO_TARGET_DIR="$build/cargo-cross" >/dev/null
cmake --build "$build/cross-armhf" -j "$jobs"
(cd "$build/cross-armhf" && ctest -j "$jobs" --output-on-failure --timeout 300)
phase_end

if [ "${IOTMQTT_MCU:-1}" = 1 ]; then
  IOTMQTT_BUILD_DIR=$build IOTMQTT_JOBS=$jobs "$root/scripts/test-mcu.sh"
else
  echo "=== MCU phases skipped (IOTMQTT_MCU=0)"
fi

echo "=== total: $(( $(date +%s) - total_start )) s"
