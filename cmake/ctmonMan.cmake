# Man pages from their one source, docs/man/*.scd (scdoc), built and
# installed when scdoc is found (scripts/deps.sh installs it; CI has it).
# Without scdoc the build still works, without man pages.
find_program(SCDOC_EXECUTABLE scdoc)
set(CTMON_MAN_PAGES ctmon.1 ctmon.cfg.5 ctmon-plugins.7)
if(SCDOC_EXECUTABLE)
  set(man_out "")
  foreach(page ${CTMON_MAN_PAGES})
    set(src ${PROJECT_SOURCE_DIR}/docs/man/${page}.scd)
    set(dst ${PROJECT_BINARY_DIR}/man/${page})
    string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
    # SOURCE_DATE_EPOCH keeps the page's date reproducible when set.
    add_custom_command(OUTPUT ${dst}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND sh -c "exec \"$0\" < \"$1\" > \"$2\"" ${SCDOC_EXECUTABLE}
              ${src} ${dst}
      DEPENDS ${src} VERBATIM
      COMMENT "scdoc ${page}")
    install(FILES ${dst} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
    list(APPEND man_out ${dst})
  endforeach()
  add_custom_target(man ALL DEPENDS ${man_out})
  set(CTMON_HAVE_MAN ON)
else()
  message(STATUS "scdoc not found: man pages are not built")
  set(CTMON_HAVE_MAN OFF)
endif()
