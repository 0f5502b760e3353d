# Cross build for a 64-bit ARM Linux gateway (Debian arm64) with Debian's
# gcc-aarch64-linux-gnu:
#   rustup target add aarch64-unknown-linux-gnu
#   cmake -S . -B build/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
# CMakeLists.txt derives the Rust target (aarch64-unknown-linux-gnu) from
# CMAKE_SYSTEM_PROCESSOR and hands cargo this compiler as the target's linker. With qemu-user
# installed, ctest runs the programs through qemu-aarch64 with the cross C library.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(IOTMQTT_CROSS_TRIPLE aarch64-linux-gnu)
set(IOTMQTT_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-common.cmake)
