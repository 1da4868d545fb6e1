// Files of assets/ (the lessons) embedded into the binary at build time by
// cmake/embed_assets.cmake, so the program needs no install path to find them.
#pragma once

#include <span>

namespace normviz::app {

struct EmbeddedAsset {
    const char* name;  // file name, e.g. "01_four_norms.json"
    const char* text;  // the file's bytes, NUL-terminated
};

// Every embedded file, sorted by file name.
std::span<const EmbeddedAsset> embedded_assets();

}  // namespace normviz::app
