# Helpers that give every project target the same flags, and embed SQL migrations and other text
# files into binaries.

# Project code builds warning-free with -Wall -Wextra; generated code does not get these flags.
function(chatter_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror=return-type)
endfunction()

# chatter_library(NAME SOURCES ... DEPS ...): a static library `chatter_<NAME>` rooted at the repo.
function(chatter_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(chatter_${name} STATIC ${ARG_SOURCES})
  target_include_directories(chatter_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(chatter_${name} PUBLIC ${ARG_DEPS})
  chatter_warnings(chatter_${name})
endfunction()

# chatter_test(NAME SOURCES ... DEPS ... LABEL unit|integration|e2e)
function(chatter_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  chatter_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT 600)
endfunction()

# chatter_embed_migrations(TARGET DIR): compiles every DIR/NNNN_*.sql into TARGET as
# `chatter::pg::EmbeddedMigrations()`, so a binary carries its own schema and `migrate` needs no files.
function(chatter_embed_migrations target dir)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DFILES="${sql_files}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    COMMENT "Embedding SQL migrations for ${target}")
  target_sources(${target} PRIVATE ${out})
endfunction()

# chatter_embed_text(TARGET FILE FUNCTION HEADER): compiles FILE into TARGET as
# `absl::string_view FUNCTION()` (declared in HEADER), rebuilt whenever FILE changes, so a binary
# serves the file without reading it from disk.
function(chatter_embed_text target file function header)
  get_filename_component(name ${file} NAME_WE)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_${name}_embedded.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DFILE=${file} -DFUNCTION=${function}
            -DHEADER=${header} -P ${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake
    COMMENT "Embedding ${file} into ${target}")
  target_sources(${target} PRIVATE ${out})
endfunction()
