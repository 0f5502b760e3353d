# C tests of tests/c and tests/compat: ABI, headers, V2.10 compatibility and link, bad
# arguments, behaviour against a private mosquitto. Included by tests/c/CMakeLists.txt.
find_program(IOTMQTT_TEST_GCC gcc REQUIRED)
find_program(IOTMQTT_TEST_GXX g++ REQUIRED)
set(_inc ${PROJECT_SOURCE_DIR}/include)
set(_compat ${TESTS_DIR}/compat)

# 1. ABI: sizes, offsets, enum values, macros and all 184 iotx_err_t constants (LP64, at run
#    time), and the ILP32 column of docs/v210-reference.md §2.8 with _Static_assert under an i386 compiler.
#    That is i686-linux-gnu-gcc (Debian's gcc-i686-linux-gnu), not gcc -m32: gcc-multilib
#    conflicts with the ARM cross compilers. -DIOTMQTT_ILP32_CC="gcc;-m32" also works.
find_program(_ilp32_gcc i686-linux-gnu-gcc)
set(IOTMQTT_ILP32_CC "${_ilp32_gcc}" CACHE STRING "ILP32 (i386) C compiler command for the ABI checks")
iotmqtt_c_test(test_abi ${CMAKE_CURRENT_SOURCE_DIR}/test_abi.c)
add_test(NAME abi_lp64 COMMAND test_abi)
if(IOTMQTT_ILP32_CC)
  set(_ilp32 ${IOTMQTT_ILP32_CC} -std=c99 -Wall -Wextra -Werror -fsyntax-only -DIOTMQTT_ILP32 -I ${_inc})
  add_test(NAME abi_ilp32_compile COMMAND ${_ilp32} ${CMAKE_CURRENT_SOURCE_DIR}/test_abi.c)
  #  The check is live: with structs packed (other offsets and sizes) its asserts fire, and an
  #  LP64 compiler is refused.
  add_test(NAME abi_ilp32_detects_wrong_layout
    COMMAND ${_ilp32} -fpack-struct ${CMAKE_CURRENT_SOURCE_DIR}/test_abi.c)
  set_tests_properties(abi_ilp32_detects_wrong_layout PROPERTIES
    PASS_REGULAR_EXPRESSION "in expansion of macro [^ ]*(SIZE|LAYOUT)")
  add_test(NAME abi_ilp32_refuses_lp64
    COMMAND ${IOTMQTT_TEST_GCC} -std=c99 -fsyntax-only -DIOTMQTT_ILP32 -I ${_inc}
            ${CMAKE_CURRENT_SOURCE_DIR}/test_abi.c)
  set_tests_properties(abi_ilp32_refuses_lp64 PROPERTIES
    PASS_REGULAR_EXPRESSION "IOTMQTT_ILP32 needs an ILP32 compiler")
else()
  add_test(NAME abi_ilp32_missing
    COMMAND ${CMAKE_COMMAND} -E echo "no ILP32 compiler (apt-get install gcc-i686-linux-gnu): the ILP32 checks cannot run")
  set_tests_properties(abi_ilp32_missing PROPERTIES WILL_FAIL TRUE)
endif()

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
string(REPLACE ";" " " _ilp32_words "${IOTMQTT_ILP32_CC}")
set(_compat_out ${CMAKE_CURRENT_BINARY_DIR}/compat)
add_test(NAME compat_v210_c
  COMMAND ${_compat}/compat_check.sh c ${_compat} ${_inc} ${IOTMQTT_LIB} ${_compat_out}/c)
add_test(NAME compat_v210_cxx
  COMMAND ${_compat}/compat_check.sh cxx ${_compat} ${_inc} ${IOTMQTT_LIB} ${_compat_out}/cxx)
add_test(NAME compat_v210_ilp32
  COMMAND ${CMAKE_COMMAND} -E env "IOTMQTT_ILP32_CC=${_ilp32_words}"
          ${_compat}/compat_check.sh ilp32 ${_compat} ${_inc} ${IOTMQTT_LIB} ${_compat_out}/ilp32)
set_tests_properties(compat_v210_c compat_v210_cxx compat_v210_ilp32 PROPERTIES TIMEOUT 120)

# 3. Bad arguments to every exported function (needs a live handle: private mosquitto).
iotmqtt_c_test(test_bad_args ${CMAKE_CURRENT_SOURCE_DIR}/test_bad_args.c)
add_test(NAME bad_args COMMAND ${SCRIPTS}/with_mosquitto.sh $<TARGET_FILE:test_bad_args>)
set_tests_properties(bad_args PROPERTIES TIMEOUT 60)

# 4. Behaviour against a private mosquitto.
iotmqtt_c_test(test_mqtt_broker ${CMAKE_CURRENT_SOURCE_DIR}/test_mqtt_broker.c)
add_test(NAME mqtt_broker COMMAND ${SCRIPTS}/with_mosquitto.sh $<TARGET_FILE:test_mqtt_broker>)
set_tests_properties(mqtt_broker PROPERTIES TIMEOUT 120)

# 5. Robustness: nothing lost through a fault-injecting proxy, allocation caps,
#    failing HAL_Malloc / HAL_TCP, Yield while reconnects fail, valgrind.
set(_proxy_dir ${TESTS_DIR}/proxy)
find_library(IOTMQTT_LIBMOSQUITTO mosquitto REQUIRED)

iotmqtt_c_test(test_nothing_lost ${CMAKE_CURRENT_SOURCE_DIR}/test_nothing_lost.c
               ${_proxy_dir}/fault_proxy.c)
target_include_directories(test_nothing_lost PRIVATE ${_proxy_dir})
target_link_libraries(test_nothing_lost PRIVATE ${IOTMQTT_LIBMOSQUITTO})
add_test(NAME nothing_lost COMMAND ${SCRIPTS}/with_mosquitto.sh $<TARGET_FILE:test_nothing_lost>)
set_tests_properties(nothing_lost PROPERTIES TIMEOUT 90)

iotmqtt_c_test(test_yield_disconnected ${CMAKE_CURRENT_SOURCE_DIR}/test_yield_disconnected.c
               ${_proxy_dir}/fault_proxy.c)
target_include_directories(test_yield_disconnected PRIVATE ${_proxy_dir})
add_test(NAME yield_disconnected
  COMMAND ${SCRIPTS}/with_mosquitto.sh $<TARGET_FILE:test_yield_disconnected>)
set_tests_properties(yield_disconnected PROPERTIES TIMEOUT 90)

iotmqtt_c_test(test_alloc_caps ${CMAKE_CURRENT_SOURCE_DIR}/test_alloc_caps.c
               ${_proxy_dir}/fault_proxy.c)
target_include_directories(test_alloc_caps PRIVATE ${_proxy_dir})
target_link_libraries(test_alloc_caps PRIVATE ${IOTMQTT_LIBMOSQUITTO})
add_test(NAME alloc_caps COMMAND ${SCRIPTS}/with_mosquitto.sh $<TARGET_FILE:test_alloc_caps>)
set_tests_properties(alloc_caps PROPERTIES TIMEOUT 90)
#    Pings allocate nothing: ~55 s idle until the first PINGREQ (keepalive is at least 60 s).
add_test(NAME alloc_caps_ping
  COMMAND ${SCRIPTS}/with_mosquitto.sh $<TARGET_FILE:test_alloc_caps> ping)
set_tests_properties(alloc_caps_ping PROPERTIES TIMEOUT 150)

iotmqtt_c_test(test_malloc_failure ${CMAKE_CURRENT_SOURCE_DIR}/test_malloc_failure.c)
add_test(NAME malloc_failure COMMAND ${SCRIPTS}/with_mosquitto.sh $<TARGET_FILE:test_malloc_failure>)
set_tests_properties(malloc_failure PROPERTIES TIMEOUT 120)

# 6. valgrind: the C tests under memcheck, against their private mosquitto.
#    --errors-for-leak-kinds=definite,indirect: the reference HAL's HAL_Malloc returns a pointer
#    16 bytes into its libc block (the size header sits in front), and the Rust allocator over
#    it offsets over-aligned blocks further. A block still referenced at exit (process-wide
#    state of std, libmosquitto or the test) is therefore only referenced through an interior
#    pointer, which memcheck classes as "possibly lost" although it is reachable. A block
#    nothing points to any more is "definitely lost" whatever the offset, and the blocks hanging
#    off it "indirectly lost": those two kinds are the leaks, and they fail the run.
#    IOTMQTT_TEST_VALGRIND=1 makes our tests use reduced iteration counts and timing tolerances.
#    Yield timing (test_yield_disconnected) is not run under valgrind: timing is not its point.
find_program(IOTMQTT_VALGRIND valgrind)
add_executable(valgrind_leak ${TESTS_DIR}/valgrind/leak.c)
target_compile_options(valgrind_leak PRIVATE ${IOTMQTT_C_WARNINGS} -O0 -g)
target_link_libraries(valgrind_leak PRIVATE hal_posix)
if(IOTMQTT_VALGRIND)
  set(_vg ${IOTMQTT_VALGRIND} --error-exitcode=1 --leak-check=full
          --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
          --num-callers=30)
  foreach(_t IN ITEMS test_mqtt_broker test_bad_args test_nothing_lost test_alloc_caps
                      test_malloc_failure)
    string(REGEX REPLACE "^test_" "valgrind_" _name ${_t})
    add_test(NAME ${_name} COMMAND ${SCRIPTS}/with_mosquitto.sh ${_vg} $<TARGET_FILE:${_t}>)
    set_tests_properties(${_name} PROPERTIES TIMEOUT 900 ENVIRONMENT IOTMQTT_TEST_VALGRIND=1)
  endforeach()
  #  The wiring fails on a leak: a dropped libc block, a dropped HAL_Malloc block, both; the
  #  same program freeing everything passes (so WILL_FAIL cannot pass for another reason).
  foreach(_mode IN ITEMS both libc hal)
    add_test(NAME valgrind_detects_leak_${_mode} COMMAND ${_vg} $<TARGET_FILE:valgrind_leak> ${_mode})
    set_tests_properties(valgrind_detects_leak_${_mode} PROPERTIES WILL_FAIL TRUE TIMEOUT 120)
  endforeach()
  add_test(NAME valgrind_no_leak_control COMMAND ${_vg} $<TARGET_FILE:valgrind_leak> none)
  set_tests_properties(valgrind_no_leak_control PROPERTIES TIMEOUT 120)
else()
  add_test(NAME valgrind_missing
    COMMAND ${CMAKE_COMMAND} -E echo "valgrind is not installed: the valgrind tests cannot run")
  set_tests_properties(valgrind_missing PROPERTIES WILL_FAIL TRUE)
endif()
