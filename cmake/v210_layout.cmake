# cmake -DLIB=libiotmqtt.a -DHAL=libhal.a -DINCLUDE=include -DOUT=output/release
#       -DLD=ld -DNM=nm -DOBJCOPY=objcopy -DAR=ar [-DPRELINK=OFF] -P v210_layout.cmake
# Writes the V2.10 SDK's output/release layout (run by the v210-layout target):
#   OUT/include/             the V2.10 header tree
#   OUT/lib/libiot_sdk.a     LIB pre-linked: one relocatable object holding only what the
#                            IOT_* exports reach (ld -r --gc-sections, each export a root), every
#                            other symbol made local. V2.10 Makefiles link without
#                            --gc-sections; this way they get no unused code and no clash with
#                            their own runtime symbols. It imports HAL_* and C library symbols.
#   OUT/lib/libiot_platform.a  HAL (the reference HAL), as V2.10's platform library.
foreach(_v LIB HAL INCLUDE OUT LD NM OBJCOPY AR)
  if(NOT ${_v})
    message(FATAL_ERROR "v210_layout.cmake: -D${_v}=... missing")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    string(REPLACE ";" " " _cmd "${ARGV}")
    message(FATAL_ERROR "v210_layout: ${_cmd}: ${_rc}\n${_out}${_err}")
  endif()
  set(run_output "${_out}" PARENT_SCOPE)
endfunction()

set(_work "${OUT}/.prelink")
file(REMOVE_RECURSE "${_work}" "${OUT}/include")
file(MAKE_DIRECTORY "${_work}" "${OUT}/lib")

# The exports: every global IOT_* function or object the archive defines.
run(${NM} -g --defined-only "${LIB}")
string(REGEX MATCHALL "[ \t][TDRBSG] IOT_[A-Za-z0-9_]+" _defs "${run_output}")
set(_exports "")
foreach(_d IN LISTS _defs)
  string(REGEX REPLACE "^[ \t][A-Z] " "" _d "${_d}")
  list(APPEND _exports ${_d})
endforeach()
list(REMOVE_DUPLICATES _exports)
list(SORT _exports)
list(LENGTH _exports _n)
if(_n EQUAL 0)
  message(FATAL_ERROR "v210_layout: no IOT_* symbol defined in ${LIB}")
endif()
set(_roots "")
foreach(_s IN LISTS _exports)
  list(APPEND _roots -u ${_s})
endforeach()
string(REPLACE ";" "\n" _keep "${_exports}")
file(WRITE "${_work}/exports.txt" "${_keep}\n")

file(REMOVE "${OUT}/lib/libiot_sdk.a")
if(DEFINED PRELINK AND NOT PRELINK)
  # -DPRELINK=OFF: the archive as cargo made it (to compare, or to debug).
  file(COPY_FILE "${LIB}" "${OUT}/lib/libiot_sdk.a")
  set(_how "libiotmqtt.a as is")
else()
  run(${LD} -r --gc-sections ${_roots} -o "${_work}/iot_sdk.o" --whole-archive "${LIB}" --no-whole-archive)
  run(${OBJCOPY} --keep-global-symbols=${_work}/exports.txt "${_work}/iot_sdk.o")
  run(${AR} rcs "${OUT}/lib/libiot_sdk.a" "${_work}/iot_sdk.o")
  set(_how "pre-linked, ${_n} IOT_* exports")
endif()
file(COPY_FILE "${HAL}" "${OUT}/lib/libiot_platform.a")
file(COPY "${INCLUDE}/" DESTINATION "${OUT}/include")
file(REMOVE_RECURSE "${_work}")
message(STATUS "v210_layout: ${OUT}: libiot_sdk.a (${_how}), libiot_platform.a, include/")
