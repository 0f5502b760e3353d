# Cross build with arm-none-eabi-gcc and newlib-nano for a Cortex-M3 (no FPU; QEMU mps2-an385):
#   cmake -S . -B build/m3 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-none-eabi-cortex-m3.cmake
# CMakeLists.txt derives the Rust target (thumbv7m-none-eabi) from CMAKE_SYSTEM_PROCESSOR and the
# float ABI below; -DIOTMQTT_RUST_TARGET=... overrides it.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m3)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# Compiler checks cannot link a bare-metal program without a startup file and linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(_iotmqtt_cpu "-mcpu=cortex-m3 -mthumb")
set(CMAKE_C_FLAGS_INIT "${_iotmqtt_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_iotmqtt_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_iotmqtt_cpu}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections --specs=nano.specs")

# Programs (cargo, qemu, python) come from the host; headers and libraries from the toolchain.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
