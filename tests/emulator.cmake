# The host's cargo target dir for the Rust tests and tools, and the local platform emulator
# built there before the tests that need it (fixture emulator_bin; IOTMQTT_EMULATOR_BIN is its
# path). Included by tests/CMakeLists.txt and, for bare-metal builds, tests/mcu/CMakeLists.txt.
set(IOTMQTT_TEST_TARGET_DIR "${PROJECT_BINARY_DIR}/../cargo-test" CACHE PATH "cargo target dir for the Rust tests and host tools")
# cargo without --target: the emulator runs on the host whatever the library's target.
add_test(NAME build_emulator
  COMMAND ${CMAKE_COMMAND} -E env CARGO_TARGET_DIR=${IOTMQTT_TEST_TARGET_DIR}
          ${CARGO} build --quiet -p iotmqtt-emulator
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(build_emulator PROPERTIES FIXTURES_SETUP emulator_bin TIMEOUT 900)
set(IOTMQTT_EMULATOR_BIN ${IOTMQTT_TEST_TARGET_DIR}/debug/iotmqtt-emulator)
