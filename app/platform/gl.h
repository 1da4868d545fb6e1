// The one include for OpenGL in normviz: libepoxy is our loader (the ImGui backend keeps its
// own private loader for its own calls).
#pragma once

#include <epoxy/gl.h>
