# The rooms of app/ without graphics: what the fuzz build compiles too (fuzz/CMakeLists.txt).
include(${CMAKE_CURRENT_LIST_DIR}/rooms.cmake)

# view: pure view math (grid layout, colour maps, the cube's camera and geometry, theme
# colours, number formatting).
normviz_room(view NO_GRAPHICS
    SOURCES color_scale.cpp colormap.cpp cube_camera.cpp cube_colors.cpp cube_geometry.cpp grid_layout.cpp
            plot_axes.cpp)
find_package(glm REQUIRED)
target_link_libraries(normviz_view PUBLIC normviz_core glm::glm)
target_compile_definitions(normviz_view PUBLIC GLM_FORCE_CXX17 GLM_FORCE_SILENT_WARNINGS)

# model: the scene, its files and settings, the one derivation of panels from (scene, tensor),
# and the worker threads.
normviz_room(model NO_GRAPHICS ALLOWED view
    SOURCES background_work.cpp histogram_worker.cpp panel_derivation.cpp paths.cpp scene_io.cpp settings.cpp sweep_csv.cpp
            train_worker.cpp)
find_package(nlohmann_json 3 REQUIRED)
find_package(Threads REQUIRED)
target_link_libraries(normviz_model PUBLIC normviz_view normviz_core normviz_train Threads::Threads)
target_link_libraries(normviz_model PRIVATE nlohmann_json::nlohmann_json)
