# Cross build for a 32-bit ARM Linux gateway (armv7-a, hard float; Debian armhf) with Debian's
# gcc-arm-linux-gnueabihf:
#   rustup target add armv7-unknown-linux-gnueabihf
#   cmake -S . -B build/armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-linux-gnueabihf.cmake
# CMakeLists.txt derives the Rust target (armv7-unknown-linux-gnueabihf) from
# CMAKE_SYSTEM_PROCESSOR and hands cargo this compiler as the target's linker. With qemu-user
# installed, ctest runs the programs through qemu-arm with the cross C library.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7)

set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(IOTMQTT_CROSS_SYSROOT /usr/arm-linux-gnueabihf)
set(CMAKE_C_FLAGS_INIT "-ffunction-sections -fdata-sections")

# Programs (cargo, qemu, mosquitto) come from the host; headers and libraries from the sysroot.
set(CMAKE_FIND_ROOT_PATH ${IOTMQTT_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L ${IOTMQTT_CROSS_SYSROOT})
