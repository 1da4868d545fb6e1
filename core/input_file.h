// Opening files to read without ever blocking or reading without bound: only regular files,
// opened with O_NONBLOCK so a FIFO or a device cannot stall the open itself.
// docs/ARCHITECTURE.md, "Reading files".
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace normviz::core {

// A read-only descriptor of the regular file `path` (blocking reads again after the check),
// or one sentence: missing, unreadable, a folder, or a pipe, device or socket. `what` names
// the expected kind for the message, e.g. "a .npy file".
Result<int> open_regular_file(const std::string& path, const std::string& what);

// All of the regular file `path`, refused unread when it holds more than `max_bytes`.
Result<std::string> read_small_file(const std::string& path, uint64_t max_bytes, const std::string& what);

}  // namespace normviz::core
