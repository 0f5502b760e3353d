# Adoption (README "Use it from your build"): tests/adopt/v210_app.c, a V2.10 program, consumed as integrators do,
# built and run against a private mosquitto:
#   adopt_add_subdirectory   add_subdirectory(iotmqtt) from a C-only CMake project
#   adopt_fetchcontent       FetchContent_MakeAvailable (the local source stands in for the URL)
#   adopt_find_package       find_package(iotmqtt CONFIG) from `cmake --install` into a prefix
#   adopt_pkg_config         plain cc with pkg-config --cflags --libs iotmqtt
#   adopt_v210_makefile      an unchanged V2.10 Makefile against output/release (v210-layout)
# Plain TCP only (a TLS build's v210_app would need the broker's CA). Included by tests/CMakeLists.txt.
if(IOTMQTT_TLS)
  return()
endif()
set(_adopt ${CMAKE_CURRENT_LIST_DIR})
set(_adopt_out ${CMAKE_CURRENT_BINARY_DIR}/adopt)
set(_consume ${SCRIPTS}/with_mosquitto.sh ${_adopt}/consume.sh)

# The subprojects build with this build's settings and cargo target dir, so cargo finds the
# archive up to date. They and the v210-layout step run cargo there: one at a time.
set(_same_archive -DIOTMQTT_MAKE_SETTINGS=${IOTMQTT_MAKE_SETTINGS}
    -DIOTMQTT_CARGO_PROFILE=${IOTMQTT_CARGO_PROFILE} -DIOTMQTT_CARGO_TARGET_DIR=${IOTMQTT_CARGO_TARGET_DIR})
add_test(NAME adopt_add_subdirectory
  COMMAND ${_consume} subdirectory ${_adopt_out}/subdirectory ${PROJECT_SOURCE_DIR} ${_same_archive})
add_test(NAME adopt_fetchcontent
  COMMAND ${_consume} fetchcontent ${_adopt_out}/fetchcontent ${PROJECT_SOURCE_DIR} ${_same_archive})

# What `cmake --install` puts in a prefix, and what finds it there.
add_test(NAME adopt_install
  COMMAND ${CMAKE_COMMAND} --install ${PROJECT_BINARY_DIR} --prefix ${_adopt_out}/prefix)
set_tests_properties(adopt_install PROPERTIES FIXTURES_SETUP adopt_prefix)
add_test(NAME adopt_find_package
  COMMAND ${_consume} find_package ${_adopt_out}/find_package ${_adopt_out}/prefix)
add_test(NAME adopt_pkg_config
  COMMAND ${_consume} pkg-config ${_adopt_out}/pkg_config ${_adopt_out}/prefix)
set_tests_properties(adopt_find_package adopt_pkg_config PROPERTIES FIXTURES_REQUIRED adopt_prefix)

# The documented step writes output/release here; the Makefile's SDK_DIR is this build dir.
add_test(NAME adopt_v210_layout
  COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target v210-layout)
set_tests_properties(adopt_v210_layout PROPERTIES FIXTURES_SETUP v210_layout)
add_test(NAME adopt_v210_makefile
  COMMAND ${_consume} v210-makefile ${_adopt_out}/v210_makefile ${IOTMQTT_V210_DIR})
set_tests_properties(adopt_v210_makefile PROPERTIES FIXTURES_REQUIRED v210_layout)

set_tests_properties(adopt_add_subdirectory adopt_fetchcontent adopt_v210_layout
  PROPERTIES RESOURCE_LOCK iotmqtt_cargo_target_dir)
set_tests_properties(adopt_add_subdirectory adopt_fetchcontent adopt_install adopt_find_package
  adopt_pkg_config adopt_v210_layout adopt_v210_makefile PROPERTIES TIMEOUT 300)
