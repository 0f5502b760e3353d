# Cross build with arm-none-eabi-gcc and newlib-nano for a Cortex-M4F (hard float, FPv4-SP;
# QEMU mps2-an386):
#   cmake -S . -B build/m4f -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-none-eabi-cortex-m4f.cmake
# CMakeLists.txt derives the Rust target (thumbv7em-none-eabihf) from CMAKE_SYSTEM_PROCESSOR and the
# float ABI below; -DIOTMQTT_RUST_TARGET=... overrides it.
set(CMAKE_SYSTEM_PROCESSOR cortex-m4)
set(IOTMQTT_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-common.cmake)
