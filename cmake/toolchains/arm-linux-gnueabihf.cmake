# Cross build for a 32-bit ARM Linux gateway (armv7-a, hard float; Debian armhf) with Debian's
# gcc-arm-linux-gnueabihf:
#   rustup target add armv7-unknown-linux-gnueabihf
#   cmake -S . -B build/armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-linux-gnueabihf.cmake
# CMakeLists.txt derives the Rust target (armv7-unknown-linux-gnueabihf) from
# CMAKE_SYSTEM_PROCESSOR and hands cargo this compiler as the target's linker. With qemu-user
# installed, ctest runs the programs through qemu-arm with the cross C library.
set(CMAKE_SYSTEM_PROCESSOR armv7)
set(IOTMQTT_CROSS_TRIPLE arm-linux-gnueabihf)
set(IOTMQTT_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-common.cmake)
