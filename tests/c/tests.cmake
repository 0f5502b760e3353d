# C tests of tests/c and tests/compat: ABI, headers, V2.10 compatibility and link, bad
# arguments, behaviour against a private mosquitto. Included by tests/c/CMakeLists.txt.
find_program(IOTMQTT_TEST_GCC gcc REQUIRED)
find_program(IOTMQTT_TEST_GXX g++ REQUIRED)
set(_inc ${CMAKE_SOURCE_DIR}/include)
set(_compat ${TESTS_DIR}/compat)

# 1. ABI: sizes, offsets, enum values, macros and all 184 iotx_err_t constants (LP64, at run
#    time), and the ILP32 column of reference §2.8 with _Static_assert under gcc -m32.
iotmqtt_c_test(test_abi ${CMAKE_CURRENT_SOURCE_DIR}/test_abi.c)
add_test(NAME abi_lp64 COMMAND test_abi)
add_test(NAME abi_ilp32_compile
  COMMAND ${IOTMQTT_TEST_GCC} -m32 -std=c99 -Wall -Wextra -Werror -fsyntax-only -DIOTMQTT_ILP32
          -I ${_inc} ${CMAKE_CURRENT_SOURCE_DIR}/test_abi.c)

#    The public headers compile as strict C99 and as C++, in either include order.
foreach(_order IN ITEMS import_first export_first)
  if(_order STREQUAL "export_first")
    set(_def -DHEADERS_CHECK_EXPORT_FIRST)
  else()
    set(_def "")
  endif()
  add_test(NAME headers_c99_${_order}
    COMMAND ${IOTMQTT_TEST_GCC} -std=c99 -Wall -Wextra -Werror -Wstrict-prototypes -fsyntax-only
            ${_def} -I ${_inc} ${CMAKE_CURRENT_SOURCE_DIR}/headers_check.c)
  add_test(NAME headers_cxx_${_order}
    COMMAND ${IOTMQTT_TEST_GXX} -Wall -Wextra -Werror -fsyntax-only -x c++
            ${_def} -I ${_inc} ${CMAKE_CURRENT_SOURCE_DIR}/headers_check.c)
endforeach()

# 2. The V2.10 compatibility source and the TCP-only HAL: compile as C99, C++ and ILP32; link
#    against libiotmqtt.a (library before the HAL object, --gc-sections) and run.
set(_compat_out ${CMAKE_CURRENT_BINARY_DIR}/compat)
add_test(NAME compat_v210_c
  COMMAND ${_compat}/compat_check.sh c ${_compat} ${_inc} ${IOTMQTT_LIB} ${_compat_out}/c)
add_test(NAME compat_v210_cxx
  COMMAND ${_compat}/compat_check.sh cxx ${_compat} ${_inc} ${IOTMQTT_LIB} ${_compat_out}/cxx)
add_test(NAME compat_v210_ilp32
  COMMAND ${_compat}/compat_check.sh ilp32 ${_compat} ${_inc} ${IOTMQTT_LIB} ${_compat_out}/ilp32)
set_tests_properties(compat_v210_c compat_v210_cxx compat_v210_ilp32 PROPERTIES TIMEOUT 120)

# 3. Bad arguments to every exported function (needs a live handle: private mosquitto).
iotmqtt_c_test(test_bad_args ${CMAKE_CURRENT_SOURCE_DIR}/test_bad_args.c)
add_test(NAME bad_args COMMAND ${SCRIPTS}/with_mosquitto.sh $<TARGET_FILE:test_bad_args>)
set_tests_properties(bad_args PROPERTIES TIMEOUT 60)

# 4. Behaviour against a private mosquitto.
iotmqtt_c_test(test_mqtt_broker ${CMAKE_CURRENT_SOURCE_DIR}/test_mqtt_broker.c)
add_test(NAME mqtt_broker COMMAND ${SCRIPTS}/with_mosquitto.sh $<TARGET_FILE:test_mqtt_broker>)
set_tests_properties(mqtt_broker PROPERTIES TIMEOUT 120)
