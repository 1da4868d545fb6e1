// Reading and writing NumPy .npy files (format versions 1, 2 and 3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/array.h"
#include "core/result.h"
#include "core/tensor.h"

namespace normviz::core {

// Whether integer arrays are accepted (converted to float32) or refused.
enum class IntegerPolicy { Refuse, Convert };

// Reads a .npy file as the array it holds: dims and C-order values (see core/array.h).
// Accepts dtypes float16, float32 and float64 (either byte order), C or Fortran order, rank
// 2 to 4; float64 values are also kept exactly (Array::values64). Integer dtypes only with
// IntegerPolicy::Convert. The header is bounds-checked: truncated data, overflowing element
// counts, a rank outside 2..4, a zero-size dimension, or any other dtype is an Error naming
// the file and the fix; nothing is allocated beyond what the file's size justifies.
Result<Array> read_npy_array(const std::string& path, IntegerPolicy integers = IntegerPolicy::Refuse);
// Same, from bytes already in memory (`name` is used in messages), e.g. an .npz member.
Result<Array> parse_npy_array(const uint8_t* bytes, size_t size, const std::string& name,
                              IntegerPolicy integers = IntegerPolicy::Refuse);

// Dims and dtype of a .npy file (Array::values stays empty), from its header alone, so that
// listing what a file holds never reads, or allocates, its data. Integer dtypes are named.
Result<Array> read_npy_description(const std::string& path);
// Same, from the first `size` bytes of a .npy of `total_size` bytes (an .npz member's head);
// `size` must reach past the header.
Result<Array> parse_npy_description(const uint8_t* head, size_t size, uint64_t total_size, const std::string& name);
// Same head: the bytes the .npy's header and data take (what comes after them is unused).
Result<uint64_t> npy_bytes_needed(const uint8_t* head, size_t size, uint64_t total_size, const std::string& name);

// Bytes of float32 data above which a .npy is memory-mapped instead of read: half the
// machine's memory, or NORMVIZ_MAP_NPY_ABOVE (bytes) when set.
uint64_t map_threshold_bytes();
// The tensor of a little-endian, C-order float32 .npy over map_threshold_bytes(), its values
// the file's pages (FloatBuffer::is_mapped): no copy, and memory the system can drop and
// read again. nullopt for any other file (read it with read_npy_array), an Error only when
// the file cannot be opened or mapped. The file must not shrink while it is mapped.
Result<std::optional<Tensor>> map_npy_tensor(const std::string& path, std::optional<Layout> layout);

// read_npy_array, then tensor_from_array with the rank's default layout.
Result<Tensor> read_npy(const std::string& path, IntegerPolicy integers = IntegerPolicy::Refuse);
// Same, from bytes already in memory. For tests and fuzzing.
Result<Tensor> parse_npy(const std::vector<uint8_t>& bytes, const std::string& name,
                         IntegerPolicy integers = IntegerPolicy::Refuse);

// The element type a writer stores.
enum class NpyDtype { Float32, Float64, Float16 };
const char* npy_dtype_name(NpyDtype dtype);  // "float32", "float64", "float16"
Result<NpyDtype> parse_npy_dtype(const std::string& text);

// Writes `tensor` little-endian, C order, format 1.0, in its layout (source_dims(tensor)),
// as `dtype`: float64 writes data64 when the tensor has exact values, else widens data;
// float16 rounds to nearest even, and a finite value beyond float16's range (past 65504
// after rounding) is an Error naming its index, not an Inf in the file. Atomic: writes a
// temporary file in the same folder and renames it, so on error no file (and no partial
// file) is left at `path`.
Status write_npy(const std::string& path, const Tensor& tensor, NpyDtype dtype = NpyDtype::Float32);

// Writes raw uint8 values ('|u1') with the given dims, atomically as above.
Status write_npy_u8(const std::string& path, const std::vector<int64_t>& dims, const std::vector<uint8_t>& values);

}  // namespace normviz::core
