# The part of the Linux gateway toolchain files every target shares; the including file sets
# CMAKE_SYSTEM_PROCESSOR, IOTMQTT_CROSS_TRIPLE (the Debian cross compiler's prefix, which is also
# its sysroot under /usr) and IOTMQTT_CROSS_QEMU (the qemu-user binary that runs its programs).
set(CMAKE_SYSTEM_NAME Linux)

set(CMAKE_C_COMPILER ${IOTMQTT_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${IOTMQTT_CROSS_TRIPLE}-g++)
set(IOTMQTT_CROSS_SYSROOT /usr/${IOTMQTT_CROSS_TRIPLE})
set(CMAKE_C_FLAGS_INIT "-ffunction-sections -fdata-sections")

# Programs (cargo, qemu, mosquitto) come from the host; headers and libraries from the sysroot.
set(CMAKE_FIND_ROOT_PATH ${IOTMQTT_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR ${IOTMQTT_CROSS_QEMU} -L ${IOTMQTT_CROSS_SYSROOT})
