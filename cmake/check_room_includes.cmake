# cmake -P script: fails the build when a file of one room of app/ includes a room it may not
# (docs/ARCHITECTURE.md lists the rooms and their direction), or graphics where none belong.
# Variables: ROOM (its name), DIR (its folder), ALLOWED (;-separated rooms it may include,
# itself implied), NO_GRAPHICS (ON: no ImGui, GLFW, GL or EGL headers), STAMP (file written
# on success).
cmake_minimum_required(VERSION 3.20)  # IN_LIST
file(GLOB files ${DIR}/*.h ${DIR}/*.cpp)
set(errors "")
foreach(file IN LISTS files)
    file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include")
    get_filename_component(name ${file} NAME)
    foreach(line IN LISTS lines)
        if(line MATCHES "#[ \t]*include[ \t]*\"app/([a-z_]+)/")
            set(other ${CMAKE_MATCH_1})
            if(NOT other STREQUAL ROOM AND NOT other IN_LIST ALLOWED)
                string(APPEND errors "  app/${ROOM}/${name}: ${line} (${ROOM} may include: ${ROOM} ${ALLOWED})\n")
            endif()
        elseif(NO_GRAPHICS AND line MATCHES "#[ \t]*include[ \t]*<(imgui|GLFW/|epoxy/|EGL/|GL/|backends/)")
            string(APPEND errors "  app/${ROOM}/${name}: ${line} (${ROOM} has no graphics)\n")
        endif()
    endforeach()
endforeach()
if(errors)
    message(FATAL_ERROR "includes against the direction of app/'s rooms:\n${errors}")
endif()
file(WRITE ${STAMP} "ok\n")
