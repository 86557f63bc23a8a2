# Builds the parts of edge that run on a target machine — the C runtime
# linked into every model library and edge-run-lite — for the architectures
# edge-compile cross-compiles to, with clang against Debian's cross C
# libraries (docs/targets.md). An architecture whose C library is not
# installed is skipped with a note; edge-compile then says so when asked
# to link for it.

set(EDGE_CROSS_ARCHITECTURES aarch64 CACHE STRING
  "Architectures besides the host's that model libraries are built for")
find_program(EDGE_LLVM_AR NAMES llvm-ar-22 llvm-ar
  HINTS /usr/lib/llvm-22/bin ${LLVM_TOOLS_BINARY_DIR})

# Compiles `sources` (C files) for `triple` into
# `objects_var`, with flags matching the host build of the same files.
function(edge_cross_compile triple sources flags objects_var)
  set(objects)
  foreach(source ${sources})
    get_filename_component(name ${source} NAME_WE)
    get_filename_component(path ${source} ABSOLUTE)
    set(object ${CMAKE_CURRENT_BINARY_DIR}/${triple}/${name}.o)
    add_custom_command(OUTPUT ${object}
      COMMAND ${CMAKE_C_COMPILER} --target=${triple} -std=c11 -O2 -fPIC
        ${flags} -Wall -I${EDGE_SOURCE_DIR}/include -MD -MF ${object}.d
        -c ${path} -o ${object}
      DEPENDS ${path}
      DEPFILE ${object}.d
      COMMENT "Building ${name}.c for ${triple}"
      VERBATIM)
    list(APPEND objects ${object})
  endforeach()
  set(${objects_var} ${objects} PARENT_SCOPE)
endfunction()

# The runtime archive for each architecture: lib/<triple>/libedge_runtime.a.
function(edge_add_cross_runtimes sources)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang" OR NOT EDGE_LLVM_AR)
    message(STATUS "edge: cross runtimes need clang and llvm-ar; skipped")
    return()
  endif()
  foreach(arch ${EDGE_CROSS_ARCHITECTURES})
    if(arch STREQUAL CMAKE_SYSTEM_PROCESSOR)
      continue()
    endif()
    set(triple ${arch}-linux-gnu)
    if(NOT EXISTS /usr/${triple}/include/stdio.h)
      message(STATUS "edge: no ${arch} C library in /usr/${triple} (install "
        "libc6-dev-arm64-cross libgcc-12-dev-arm64-cross): no ${arch} runtime")
      continue()
    endif()
    edge_cross_compile(${triple} "${sources}" "-fvisibility=hidden" objects)
    set(archive ${CMAKE_ARCHIVE_OUTPUT_DIRECTORY}/${triple}/libedge_runtime.a)
    add_custom_command(OUTPUT ${archive}
      COMMAND ${CMAKE_COMMAND} -E make_directory
        ${CMAKE_ARCHIVE_OUTPUT_DIRECTORY}/${triple}
      COMMAND ${CMAKE_COMMAND} -E rm -f ${archive}
      COMMAND ${EDGE_LLVM_AR} rcs ${archive} ${objects}
      DEPENDS ${objects}
      COMMENT "Archiving the ${arch} edge runtime"
      VERBATIM)
    add_custom_target(EdgeRuntime-${arch} ALL DEPENDS ${archive})
    set_property(GLOBAL APPEND PROPERTY EDGE_CROSS_RUNTIME_TARGETS
      EdgeRuntime-${arch})
  endforeach()
endfunction()

# edge-run-lite for each architecture: bin/<triple>/edge-run-lite.
function(edge_add_cross_runner sources)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    return()
  endif()
  foreach(arch ${EDGE_CROSS_ARCHITECTURES})
    set(triple ${arch}-linux-gnu)
    if(arch STREQUAL CMAKE_SYSTEM_PROCESSOR OR
       NOT EXISTS /usr/${triple}/include/stdio.h)
      continue()
    endif()
    edge_cross_compile(${triple} "${sources}" "" objects)
    set(program ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/${triple}/edge-run-lite)
    add_custom_command(OUTPUT ${program}
      COMMAND ${CMAKE_COMMAND} -E make_directory
        ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/${triple}
      COMMAND ${CMAKE_C_COMPILER} --target=${triple} -fuse-ld=lld ${objects}
        -ldl -o ${program}
      DEPENDS ${objects}
      COMMENT "Linking edge-run-lite for ${triple}"
      VERBATIM)
    add_custom_target(edge-run-lite-${arch} ALL DEPENDS ${program})
    set_property(GLOBAL APPEND PROPERTY EDGE_CROSS_RUNTIME_TARGETS
      edge-run-lite-${arch})
  endforeach()
endfunction()
