// Reading and writing NumPy .npy files (format versions 1, 2 and 3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/tensor.h"

namespace normviz::core {

// Whether integer arrays are accepted (converted to float32) or refused.
enum class IntegerPolicy { Refuse, Convert };

// Reads a .npy file into a float32 NCHW tensor.
// Accepts dtypes float32 and float64 ('<f4', '>f4', '<f8', '>f8'), C or Fortran order,
// rank 2 (N, C) -> (N, C, 1, 1), rank 3 (N, C, L) -> (N, C, 1, L), rank 4 as is; sets
// source_rank. Integer dtypes only with IntegerPolicy::Convert. The header is bounds-checked:
// truncated data, overflowing element counts, a rank outside 2..4, a zero-size dimension,
// or any other dtype is an Error naming the file and the fix; nothing is allocated beyond
// what the file's size justifies.
Result<Tensor> read_npy(const std::string& path, IntegerPolicy integers = IntegerPolicy::Refuse);

// Same, from bytes already in memory (`name` is used in messages). For tests and fuzzing.
Result<Tensor> parse_npy(const std::vector<uint8_t>& bytes, const std::string& name,
                         IntegerPolicy integers = IntegerPolicy::Refuse);

// Writes `tensor` as little-endian float32, C order, format 1.0, with the dims of
// source_dims(tensor). Atomic: writes a temporary file in the same folder and renames it, so
// on error no file (and no partial file) is left at `path`.
Status write_npy(const std::string& path, const Tensor& tensor);

// Writes raw uint8 values ('|u1') with the given dims, atomically as above.
Status write_npy_u8(const std::string& path, const std::vector<int64_t>& dims,
                    const std::vector<uint8_t>& values);

}  // namespace normviz::core
