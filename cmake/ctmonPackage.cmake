# What `cmake --install` adds for people who build plugins outside ctmon's
# tree (docs/writing-a-plugin.md): the generated ctmon/version.h, the
# pkg-config files ctmon-plugin.pc and ctmon-fakehost.pc, and the CMake
# package (find_package(ctmon): ctmon::plugin, ctmon::fakehost and the
# ctmon_add_plugin() the tree itself uses).  Included once from the
# top-level CMakeLists.txt, after the targets it exports exist.
include(CMakePackageConfigHelpers)

# The ABI version is plugin.h's; read it so no second copy can drift.
file(STRINGS ${PROJECT_SOURCE_DIR}/include/ctmon/plugin.h ctmon_abi_lines
     REGEX "^#define CTMON_PLUGIN_ABI_(MAJOR|MINOR) +[0-9]+")
foreach(line ${ctmon_abi_lines})
  if(line MATCHES "ABI_MAJOR +([0-9]+)")
    set(CTMON_ABI_MAJOR ${CMAKE_MATCH_1})
  elseif(line MATCHES "ABI_MINOR +([0-9]+)")
    set(CTMON_ABI_MINOR ${CMAKE_MATCH_1})
  endif()
endforeach()
if(NOT DEFINED CTMON_ABI_MAJOR OR NOT DEFINED CTMON_ABI_MINOR)
  message(FATAL_ERROR "cannot read the ABI version from plugin.h")
endif()

configure_file(${PROJECT_SOURCE_DIR}/include/ctmon/version.h.in
               ${PROJECT_BINARY_DIR}/include/ctmon/version.h @ONLY)
target_include_directories(ctmon_plugin_headers INTERFACE
  $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
set_target_properties(ctmon_plugin_headers PROPERTIES EXPORT_NAME plugin)
install(FILES ${PROJECT_BINARY_DIR}/include/ctmon/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ctmon)
install(TARGETS ctmon_plugin_headers EXPORT ctmonTargets)

# pkg-config files find their prefix from their own location, so an install
# with `cmake --install --prefix` or DESTDIR into any folder stays usable.
file(RELATIVE_PATH CTMON_PC_TO_PREFIX
     "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
foreach(pc ctmon-plugin ctmon-fakehost)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in
                 ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

set(CTMON_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ctmon)
install(EXPORT ctmonTargets NAMESPACE ctmon::
        DESTINATION ${CTMON_CMAKE_INSTALL_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ctmonConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/ctmonConfig.cmake
  INSTALL_DESTINATION ${CTMON_CMAKE_INSTALL_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CTMON_PLUGIN_INSTALL_DIR)
# The ABI, not the product version, decides whether a plugin loads; the
# package version only promises the same major.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/ctmonConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/ctmonConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/ctmonConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/ctmonPluginHelpers.cmake
        DESTINATION ${CTMON_CMAKE_INSTALL_DIR})
