// How deeply a JSON text nests, found without parsing it: deep nesting is refused before a
// parser or the code walking its result can run out of stack.
#pragma once

#include <string_view>

namespace normviz::core {

// The deepest nesting of [ and { outside strings (0 for a scalar). Stops counting past `limit`.
int json_nesting_depth(std::string_view text, int limit);

// Every JSON file normviz reads nests far less; scenes, lessons and .safetensors headers
// deeper than this are errors.
constexpr int kMaxJsonDepth = 64;

}  // namespace normviz::core
