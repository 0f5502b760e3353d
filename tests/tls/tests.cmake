# TLS and HTTPS pre-authentication tests (README "TLS and the CA"). Included by tests/CMakeLists.txt with
#   include(${CMAKE_CURRENT_SOURCE_DIR}/tls/tests.cmake)
# after add_subdirectory(c) and the build_emulator test. Registers tests only in TLS builds:
#   direct TLS (FEATURE_MQTT_DIRECT = y):  tls_mosquitto
#   guider     (FEATURE_MQTT_DIRECT = n):  tls_guider_emulator, tls_guider_replies
# Run them with `ctest -R '^tls_'` in a build configured with one of tests/tls/settings/*.settings.
if(NOT IOTMQTT_TLS)
  return()
endif()

set(_tls_dir ${CMAKE_CURRENT_LIST_DIR})
set(_direct y)
file(STRINGS "${IOTMQTT_MAKE_SETTINGS}" _tls_lines)
foreach(_line IN LISTS _tls_lines)
  string(REGEX REPLACE "#.*" "" _line "${_line}")
  if(_line MATCHES "^[ \t]*FEATURE_MQTT_DIRECT[ \t]*[:?]?=[ \t]*([^ \t]*)[ \t]*$")
    set(_direct "${CMAKE_MATCH_1}")
  endif()
endforeach()

add_executable(test_tls_client ${_tls_dir}/test_tls_client.c)
target_compile_definitions(test_tls_client PRIVATE _POSIX_C_SOURCE=200809L)
target_compile_options(test_tls_client PRIVATE ${IOTMQTT_C_WARNINGS})
target_include_directories(test_tls_client PRIVATE ${PROJECT_SOURCE_DIR}/tests/c)
target_link_libraries(test_tls_client PRIVATE iotmqtt hal_posix)

if(_direct STREQUAL "y")
  # MQTT over TLS against mosquitto: connect/publish/receive; wrong CA, expired certificate,
  # wrong host name and the built-in CA refused with their reason.
  add_test(NAME tls_mosquitto
    COMMAND ${_tls_dir}/run_tls_tests.sh $<TARGET_FILE:test_tls_client>)
  set_tests_properties(tls_mosquitto PROPERTIES TIMEOUT 120)
else()
  # HTTPS pre-authentication against the platform emulator, then MQTT over TLS with the token;
  # a fresh token before a reconnect; 401 / 5001 / 500 / wrong CA.
  add_test(NAME tls_guider_emulator
    COMMAND ${_tls_dir}/run_guider_tests.sh emulator $<TARGET_FILE:test_tls_client>
            ${IOTMQTT_EMULATOR_BIN})
  set_tests_properties(tls_guider_emulator PROPERTIES FIXTURES_REQUIRED emulator_bin TIMEOUT 180)
  # Every other reply against a local HTTPS stub: 460, 6200, other codes, malformed JSON,
  # missing field, chunked, split into tiny reads, HTTP error, truncated, closed, too slow.
  add_test(NAME tls_guider_replies
    COMMAND ${_tls_dir}/run_guider_tests.sh stub $<TARGET_FILE:test_tls_client>)
  set_tests_properties(tls_guider_replies PROPERTIES TIMEOUT 180)
endif()

# mqtt-example end to end against the emulator in this build's TLS mode (direct TLS or
# HTTPS pre-authentication + TLS): it publishes, receives its own messages and exits cleanly;
# the emulator saw one session over TLS, no refused CONNECT, no keepalive warning.
if(_direct STREQUAL "y")
  set(_example_mode tls)
else()
  set(_example_mode guider)
endif()
add_test(NAME tls_example_against_emulator
  COMMAND ${CMAKE_COMMAND} -E env IOTMQTT_EXAMPLE_MODE=${_example_mode}
          IOTMQTT_EXAMPLE_BIN=$<TARGET_FILE:mqtt-example>
          IOTMQTT_EMULATOR_BIN=${IOTMQTT_EMULATOR_BIN}
          ${PROJECT_SOURCE_DIR}/scripts/run-example.sh --once)
set_tests_properties(tls_example_against_emulator PROPERTIES FIXTURES_REQUIRED emulator_bin TIMEOUT 180)
