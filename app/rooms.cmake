set(NORMVIZ_APP_DIR ${CMAKE_CURRENT_LIST_DIR})
# normviz_room(NAME SOURCES ... ALLOWED room ... [NO_GRAPHICS]): a room of app/ as a static
# library normviz_NAME, whose includes are checked before it compiles: a file that includes a
# room not in ALLOWED (or graphics headers in a NO_GRAPHICS room) fails the build
# (cmake/check_room_includes.cmake).
function(normviz_room name)
    cmake_parse_arguments(ROOM "NO_GRAPHICS" "" "SOURCES;ALLOWED" ${ARGN})
    set(dir ${NORMVIZ_APP_DIR}/${name})
    file(GLOB room_files CONFIGURE_DEPENDS ${dir}/*.h ${dir}/*.cpp)
    set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${name}_includes.ok)
    add_custom_command(
        OUTPUT ${stamp}
        COMMAND ${CMAKE_COMMAND} -DROOM=${name} -DDIR=${dir} "-DALLOWED=${ROOM_ALLOWED}"
                -DNO_GRAPHICS=${ROOM_NO_GRAPHICS} -DSTAMP=${stamp}
                -P ${PROJECT_SOURCE_DIR}/cmake/check_room_includes.cmake
        DEPENDS ${room_files} ${PROJECT_SOURCE_DIR}/cmake/check_room_includes.cmake
        COMMENT "Checking the includes of app/${name}"
        VERBATIM
    )
    add_custom_target(normviz_${name}_includes DEPENDS ${stamp})
    list(TRANSFORM ROOM_SOURCES PREPEND ${dir}/)
    add_library(normviz_${name} STATIC ${ROOM_SOURCES})
    add_dependencies(normviz_${name} normviz_${name}_includes)
    target_include_directories(normviz_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    normviz_target_defaults(normviz_${name})
endfunction()
