# Cross build with arm-none-eabi-gcc and newlib-nano for a Cortex-M3 (no FPU; QEMU mps2-an385):
#   cmake -S . -B build/m3 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-none-eabi-cortex-m3.cmake
# CMakeLists.txt derives the Rust target (thumbv7m-none-eabi) from CMAKE_SYSTEM_PROCESSOR and the
# float ABI below; -DIOTMQTT_RUST_TARGET=... overrides it.
set(CMAKE_SYSTEM_PROCESSOR cortex-m3)
set(IOTMQTT_CPU_FLAGS "-mcpu=cortex-m3 -mthumb")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-common.cmake)
