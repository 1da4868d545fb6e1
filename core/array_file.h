// Opening an array wherever users keep one: .npy, a member of an .npz archive (np.savez,
// np.savez_compressed) or a tensor of a .safetensors file, named "FILE.npz:NAME" or
// "FILE.safetensors:NAME". A torch.save file is recognized and refused (never unpickled).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/array.h"
#include "core/npy.h"
#include "core/result.h"
#include "core/tensor.h"

namespace normviz::core {

// A file and, for archives, the member to open ("" = the only one).
struct ArraySource {
    std::string path;
    std::string member;
};
// "x.npz:hidden" -> {"x.npz", "hidden"}. The text splits at its first ':' that follows
// ".npz", ".safetensors" or ".npy" (which holds one array: read_array refuses a member name
// for it); anything else is a plain path (colons included).
ArraySource parse_array_source(const std::string& text);

// Reads the array `source` names. An archive without a member opens its only array; with
// several, the Error lists their names ("... holds 3 arrays: a, b, c; pick one with
// FILE.npz:NAME"), as does a member that does not exist. Every Error is one line naming the
// file and the fix. Integer dtypes as read_npy_array's `integers`.
Result<Array> read_array(const std::string& source, IntegerPolicy integers = IntegerPolicy::Refuse);
// Same, with the file and member apart (a path whose name has no extension, e.g. a pipe).
Result<Array> read_array(const ArraySource& source, IntegerPolicy integers);

// read_array, then tensor_from_array with `layout` (the rank's default when nullopt).
Result<Tensor> read_tensor(const std::string& source, std::optional<Layout> layout = std::nullopt,
                           IntegerPolicy integers = IntegerPolicy::Refuse);

// The names of the arrays in an .npz or .safetensors file, in the file's order, each with
// its dims; a .npy file gives one unnamed entry.
struct ArrayEntry {
    std::string name;
    std::vector<int64_t> dims;
    std::string dtype;
};
Result<std::vector<ArrayEntry>> list_arrays(const std::string& path);

}  // namespace normviz::core
