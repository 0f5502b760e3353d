# Cross build for a 64-bit ARM Linux gateway (Debian arm64) with Debian's
# gcc-aarch64-linux-gnu:
#   rustup target add aarch64-unknown-linux-gnu
#   cmake -S . -B build/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
# CMakeLists.txt derives the Rust target (aarch64-unknown-linux-gnu) from
# CMAKE_SYSTEM_PROCESSOR and hands cargo this compiler as the target's linker. With qemu-user
# installed, ctest runs the programs through qemu-aarch64 with the cross C library.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(IOTMQTT_CROSS_SYSROOT /usr/aarch64-linux-gnu)
set(CMAKE_C_FLAGS_INIT "-ffunction-sections -fdata-sections")

# Programs (cargo, qemu, mosquitto) come from the host; headers and libraries from the sysroot.
set(CMAKE_FIND_ROOT_PATH ${IOTMQTT_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L ${IOTMQTT_CROSS_SYSROOT})
