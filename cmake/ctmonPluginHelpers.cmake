# ctmon_add_plugin(<name> SOURCES <files...> [LIBRARIES <libs...>])
#
# Builds a ctmon plugin: a MODULE library named exactly <name>.so, symbols
# hidden except the entry point, no undefined symbols (the host API is passed
# in, never linked), installed into the plugin directory.
if(NOT DEFINED CTMON_PLUGIN_INSTALL_DIR)
  set(CTMON_PLUGIN_INSTALL_DIR "lib/ctmon/plugins")
endif()

function(ctmon_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/lib/ctmon/plugins")
  target_compile_options(${name} PRIVATE -fvisibility=hidden)
  target_link_options(${name} PRIVATE -Wl,--no-undefined)
  if(TARGET ctmon::plugin)
    target_link_libraries(${name} PRIVATE ctmon::plugin)
  endif()
  if(ARG_LIBRARIES)
    target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES})
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION ${CTMON_PLUGIN_INSTALL_DIR})
endfunction()
