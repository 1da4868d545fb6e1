// Reading and writing NumPy .npy files: header parsing, dtype conversion, atomic writes.
#include "core/npy.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "core/assert.h"
#include "core/input_file.h"
#include "core/layout.h"
#include "core/safe_file.h"

namespace normviz::core {
namespace {

// The format, as numpy.lib.format documents it: 6 magic bytes, major and minor version,
// header length (uint16 LE in 1.0, uint32 LE in 2.0 and 3.0), a Python dict literal, data.
constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kHeaderAlign = 64;
// numpy.load refuses longer headers (max_header_size); nothing larger is read or allocated.
constexpr size_t kMaxHeaderBytes = 10000;
constexpr const char* kSupported = "normviz reads float16, float32 or float64 ('<f2', '<f4', '<f8', either byte order)";
constexpr const char* kResave = "re-save the array with numpy.save";

// "name: text" on one line: control characters (from the file's bytes) become '?'.
Error file_error(const std::string& name, const std::string& text) {
    std::string message = name + ": " + text;
    for (char& ch : message) {
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    }
    return make_error(std::move(message));
}

// At most `limit` characters of `text`, with "..." when cut.
std::string excerpt(std::string_view text, size_t limit = 80) {
    if (text.size() <= limit) return std::string(text);
    return std::string(text.substr(0, limit)) + "...";
}

// Python's repr of a tuple of ints: "(3,)", "(2, 3)".
std::string dims_text(const std::vector<int64_t>& dims) {
    std::string out = "(";
    for (size_t i = 0; i < dims.size(); ++i) {
        if (i > 0) out += ", ";
        out += std::to_string(dims[i]);
    }
    return out + (dims.size() == 1 ? ",)" : ")");
}

struct Header {
    std::string descr;           // e.g. "<f4"; the raw text of a list for structured dtypes
    bool descr_is_list = false;  // structured dtype, e.g. [('x', '<f4')]
    bool fortran_order = false;
    std::vector<int64_t> dims;
};

// Recursive-descent parser for the header's dict literal. Accepts exactly the keys
// 'descr', 'fortran_order' and 'shape' (any order, any whitespace, optional trailing comma).
class HeaderParser {
public:
    explicit HeaderParser(std::string_view text) : text_(text) {}

    // Fills `out`; returns "" on success, otherwise what is wrong.
    std::string parse(Header& out) {
        skip_space();
        if (!eat('{')) return expected("'{'");
        std::array<bool, 3> seen{};
        for (;;) {
            skip_space();
            if (eat('}')) break;
            std::string key;
            if (!parse_string(key)) return expected("a quoted key or '}'");
            skip_space();
            if (!eat(':')) return expected("':' after '" + key + "'");
            skip_space();
            int slot = key == "descr" ? 0 : key == "fortran_order" ? 1 : key == "shape" ? 2 : -1;
            if (slot < 0) return "unknown key '" + excerpt(key, 30) + "'";
            if (seen[slot]) return "duplicate key '" + key + "'";
            seen[slot] = true;
            std::string problem = slot == 0   ? parse_descr(out)
                                  : slot == 1 ? parse_bool(out.fortran_order)
                                              : parse_dims(out.dims);
            if (!problem.empty()) return problem;
            skip_space();
            if (eat(',')) continue;
            if (eat('}')) break;
            return expected("',' or '}'");
        }
        skip_space();
        if (pos_ != text_.size()) return "unexpected text after '}' at offset " + offset();
        const char* names[] = {"descr", "fortran_order", "shape"};
        for (int i = 0; i < 3; ++i) {
            if (!seen[i]) return std::string("missing key '") + names[i] + "'";
        }
        return "";
    }

private:
    std::string offset() const { return std::to_string(pos_); }
    std::string expected(const std::string& what) const { return "expected " + what + " at offset " + offset(); }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    bool eat(char ch) {
        if (peek() != ch || at_end()) return false;
        ++pos_;
        return true;
    }
    bool eat_word(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }
    void skip_space() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
    }

    // 'text' or "text"; a backslash keeps the next character.
    bool parse_string(std::string& out) {
        char quote = peek();
        if (quote != '\'' && quote != '"') return false;
        size_t start = pos_++;
        for (; !at_end() && peek() != quote; ++pos_) {
            if (peek() == '\\') ++pos_;
            if (!at_end()) out += text_[pos_];
        }
        if (!eat(quote)) {
            pos_ = start;
            return false;
        }
        return true;
    }

    // A string, or a list (structured dtype) kept as raw text for the error message.
    std::string parse_descr(Header& out) {
        if (parse_string(out.descr)) return "";
        if (peek() != '[') return expected("a quoted dtype for 'descr'");
        size_t start = pos_;
        int depth = 0;
        while (!at_end()) {
            std::string ignored;
            if (parse_string(ignored)) continue;
            char ch = text_[pos_++];
            if (ch == '[' || ch == '(') ++depth;
            if ((ch == ']' || ch == ')') && --depth == 0) break;
        }
        if (depth != 0) return "unterminated list in 'descr'";
        out.descr = std::string(text_.substr(start, pos_ - start));
        out.descr_is_list = true;
        return "";
    }

    std::string parse_bool(bool& out) {
        if (eat_word("True")) out = true;
        else if (eat_word("False")) out = false;
        else return expected("True or False for 'fortran_order'");
        return "";
    }

    // "(2, 3)", "(3,)", "()"; Python 2's "3L" is accepted. Signs are kept for the caller.
    std::string parse_dims(std::vector<int64_t>& out) {
        if (!eat('(')) return expected("a tuple such as (2, 3) for 'shape'");
        for (;;) {
            skip_space();
            if (eat(')')) return "";
            bool negative = eat('-');
            if (peek() < '0' || peek() > '9') return expected("an integer in 'shape'");
            int64_t value = 0;
            while (peek() >= '0' && peek() <= '9') {
                if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, peek() - '0', &value))
                    return "dimension at offset " + offset() + " in 'shape' is too large";
                ++pos_;
            }
            eat('L');
            out.push_back(negative ? -value : value);
            skip_space();
            if (eat(')')) return "";
            if (!eat(',')) return expected("',' or ')' in 'shape'");
        }
    }

    std::string_view text_;
    size_t pos_ = 0;
};

enum class Kind { Float, Signed, Unsigned };

struct Dtype {
    Kind kind = Kind::Float;
    int itemsize = 4;
    bool big_endian = false;
};

// Human name of a numpy type code, for messages: ('c', 8) -> "complex64".
std::string dtype_name(char code, int size) {
    std::string bits = std::to_string(size * 8);
    switch (code) {
        case 'f': return size == 2 ? "float16" : "float" + bits;
        case 'i': return "int" + bits;
        case 'u': return "uint" + bits;
        case 'c': return "complex" + bits;
        case 'b': return "bool";
        case 'O': return "Python objects";
        case 'S':
        case 'a': return "byte string";
        case 'U': return "unicode string";
        case 'V': return "raw void";
        case 'M': return "datetime64";
        case 'm': return "timedelta64";
        default: return "unknown type";
    }
}

// Interprets `descr` ("<f4", ">i8", "|u1", ...) under `integers`.
Result<Dtype> parse_dtype(const Header& header, const std::string& name, IntegerPolicy integers) {
    const std::string fix = "; convert with x.astype(np.float32) before saving";
    if (header.descr_is_list) {
        return file_error(name, "unsupported structured dtype " + excerpt(header.descr) + "; " + kSupported +
                                    "; save one field, e.g. x['field'].astype(np.float32)");
    }
    std::string_view d = header.descr;
    char order = '=';
    if (!d.empty() && (d[0] == '<' || d[0] == '>' || d[0] == '=' || d[0] == '|')) {
        order = d[0];
        d.remove_prefix(1);
    }
    int size = 0;
    bool digits_ok = d.size() >= 2 && d.size() <= 4;
    for (size_t i = 1; digits_ok && i < d.size(); ++i) {
        digits_ok = d[i] >= '0' && d[i] <= '9';
        size = size * 10 + (d[i] - '0');
    }
    const std::string quoted = "'" + excerpt(header.descr, 30) + "'";
    if (d.size() == 1 && d[0] == 'O') {
        return file_error(name, "unsupported dtype " + quoted + " (Python objects); " + kSupported + fix);
    }
    if (!digits_ok || size == 0) {
        return file_error(name, "unsupported dtype " + quoted + "; " + kSupported + fix);
    }
    const char code = d[0];
    const std::string described = quoted + " (" + dtype_name(code, size) + ")";
    const bool is_float = code == 'f' && (size == 2 || size == 4 || size == 8);
    const bool is_integer = (code == 'i' || code == 'u') && (size == 1 || size == 2 || size == 4 || size == 8);
    if (!is_float && !is_integer) {
        return file_error(
            name, "unsupported dtype " + described + "; " + kSupported + ", or integers with --convert-int" + fix);
    }
    if (order == '|' && size != 1) {
        return file_error(name, "dtype " + quoted + " has no byte order but items of " + std::to_string(size) +
                                    " bytes; the header is corrupt, " + kResave);
    }
    if (is_integer && integers == IntegerPolicy::Refuse) {
        return file_error(name, "integer dtype " + described + "; " + kSupported +
                                    ": convert with x.astype(np.float32) before saving, or " +
                                    "pass --convert-int to convert on load");
    }
    Dtype t;
    t.kind = is_float ? Kind::Float : code == 'i' ? Kind::Signed : Kind::Unsigned;
    t.itemsize = size;
    t.big_endian = order == '>';
    return t;
}

// Checks rank, signs, zero extents and the element count (against kMaxElements, without
// overflowing), in that order. Returns the element count.
Result<int64_t> check_dims(const std::vector<int64_t>& dims, const std::string& name) {
    const std::string shape = dims_text(dims);
    for (int64_t d : dims) {
        if (d < 0) {
            return file_error(name, "shape " + shape +
                                        " has a negative dimension; the header is "
                                        "corrupt, " +
                                        kResave);
        }
    }
    // Ranks 1 (an .npz's BatchNorm buffers) to 8 are read; tensor_from_array takes 2 to 4.
    if (dims.empty() || dims.size() > 8) {
        return file_error(name, "rank " + std::to_string(dims.size()) + " array " + shape +
                                    "; normviz reads rank 2 (N, C), 3 (N, C, L) or (N, L, C), "
                                    "or 4 (N, C, H, W) or (N, H, W, C); reshape before saving");
    }
    for (int64_t d : dims) {
        if (d == 0) {
            return file_error(name, "shape " + shape +
                                        " has a zero-size dimension (the array is "
                                        "empty); normviz needs at least one element along every axis");
        }
    }
    int64_t count = 1;
    for (int64_t d : dims) {
        if (__builtin_mul_overflow(count, d, &count) || count > kMaxElements) {
            return file_error(name, "shape " + shape + " has more than " + std::to_string(kMaxElements) +
                                        " (2^34) elements, the "
                                        "most normviz reads; save a slice of the array instead");
        }
    }
    return count;
}

// Reads one item of type `t` at `p` (either byte order) as a T (float: rounded once).
template <class T>
T load_item(const uint8_t* p, const Dtype& t) {
    const int n = t.itemsize;
    uint64_t bits = 0;
    for (int i = 0; i < n; ++i) bits = (bits << 8) | p[t.big_endian ? i : n - 1 - i];
    switch (t.kind) {
        case Kind::Float:
            if (n == 2) return static_cast<T>(half_to_float(static_cast<uint16_t>(bits)));
            if (n == 4) return static_cast<T>(std::bit_cast<float>(static_cast<uint32_t>(bits)));
            return static_cast<T>(std::bit_cast<double>(bits));
        case Kind::Signed: {
            const int shift = 64 - 8 * n;  // sign-extend
            return static_cast<T>(static_cast<int64_t>(bits << shift) >> shift);
        }
        case Kind::Unsigned: return static_cast<T>(bits);
    }
    return T{};
}

// Converts `count` items at `src` to T in C order; Fortran data is transposed by walking the
// source in its own order (first axis fastest) and tracking the C offset. Values is
// std::vector<double> or FloatValues.
template <class Values>
Values convert_items(const uint8_t* src, int64_t count, const Dtype& t, const std::vector<int64_t>& dims,
                     bool fortran_order) {
    using T = typename Values::value_type;
    Values out(static_cast<size_t>(count));
    const bool raw_copy = t.kind == Kind::Float && t.itemsize == int(sizeof(T)) && !t.big_endian &&
                          std::endian::native == std::endian::little;
    if (!fortran_order || count == 1) {
        if (raw_copy) {
            std::memcpy(out.data(), src, out.size() * sizeof(T));
        } else {
            for (int64_t i = 0; i < count; ++i) out[i] = load_item<T>(src + i * t.itemsize, t);
        }
        return out;
    }
    const int rank = static_cast<int>(dims.size());
    std::array<int64_t, 8> c_stride{}, index{};
    c_stride[rank - 1] = 1;
    for (int k = rank - 2; k >= 0; --k) c_stride[k] = c_stride[k + 1] * dims[k + 1];
    int64_t dest = 0;
    for (int64_t s = 0; s < count; ++s) {
        out[dest] = load_item<T>(src + s * t.itemsize, t);
        for (int k = 0; k < rank; ++k) {
            dest += c_stride[k];
            if (++index[k] < dims[k]) break;
            dest -= index[k] * c_stride[k];
            index[k] = 0;
        }
    }
    return out;
}

uint32_t load_le(const uint8_t* p, int n) {
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// Magic, version 1.0, header length, dict padded with spaces and '\n' to kHeaderAlign.
std::string make_header(const char* descr, const std::vector<int64_t>& dims) {
    std::string dict =
        std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + dims_text(dims) + ", }";
    const size_t prefix = kMagicSize + 4;
    dict.append((kHeaderAlign - (prefix + dict.size() + 1) % kHeaderAlign) % kHeaderAlign, ' ');
    dict += '\n';
    NORMVIZ_ASSERT(dict.size() <= 0xffff, "a .npy 1.0 header fits a uint16 length");
    std::string out(kMagic, kMagicSize);
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(dict.size() & 0xff);
    out += static_cast<char>(dict.size() >> 8);
    return out + dict;
}

// Writes `header` then whatever `write_payload` writes through the one safe writer
// (core/safe_file.h): nothing appears at `path` unless all of it reached the disk.
Status write_atomically(const std::string& path, const std::string& header,
                        const std::function<bool(SafeWriter&)>& write_payload) {
    Result<SafeWriter> writer = SafeWriter::open(path);
    if (!writer) return writer.error();
    if (writer.value().write(header.data(), header.size())) write_payload(writer.value());
    return writer.value().commit();
}

}  // namespace

namespace {

// Where the data starts and what it holds, from a file's first bytes. `head` holds the
// first `head_size` bytes of a file of `file_size` bytes (all of it, or at least the magic,
// version, length and header dict).
struct NpyLayout {
    size_t data_offset = 0;
    Header header;
    Dtype dtype;
    int64_t count = 0;
};

Result<NpyLayout> parse_layout(const uint8_t* head, size_t head_size, uint64_t file_size, const std::string& name,
                               IntegerPolicy integers) {
    const uint64_t size = file_size;
    const size_t magic_seen = static_cast<size_t>(std::min<uint64_t>(size, kMagicSize));
    if (magic_seen > 0 && std::memcmp(head, kMagic, magic_seen) != 0) {
        const bool zip = size >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0;
        return file_error(name, std::string("not a .npy file (it does not start with the "
                                            "\\x93NUMPY magic); ") +
                                    (zip ? "this looks like an .npz archive: np.save one of its "
                                           "arrays, e.g. np.save('x.npy', np.load(f)['name'])"
                                         : "save the array with numpy.save"));
    }
    if (size < kMagicSize + 4) {
        return file_error(name, "file is too short to be a .npy file (" + std::to_string(size) +
                                    " bytes); it is truncated, " + kResave);
    }
    const int major = head[6], minor = head[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0) {
        return file_error(name, "unsupported .npy format version " + std::to_string(major) + "." +
                                    std::to_string(minor) +
                                    "; normviz reads versions 1.0, 2.0 "
                                    "and 3.0, " +
                                    kResave);
    }
    const size_t prefix = major == 1 ? kMagicSize + 4 : kMagicSize + 6;
    if (size < prefix) {
        return file_error(name, "file is too short to be a .npy file (" + std::to_string(size) +
                                    " bytes); it is truncated, " + kResave);
    }
    const size_t header_size = load_le(&head[8], major == 1 ? 2 : 4);
    if (header_size > size - prefix) {
        return file_error(name, "header length " + std::to_string(header_size) +
                                    " bytes runs past the end of the file (" + std::to_string(size) +
                                    " bytes); the file is truncated or "
                                    "corrupt, " +
                                    kResave);
    }
    if (header_size > kMaxHeaderBytes) {
        return file_error(name, "header length " + std::to_string(header_size) + " bytes is over " +
                                    std::to_string(kMaxHeaderBytes) +
                                    ", numpy's own limit for a "
                                    ".npy header; the file is corrupt, " +
                                    kResave);
    }
    NORMVIZ_ASSERT(head_size >= prefix + header_size, "parse_layout needs the whole header");
    const std::string_view text(reinterpret_cast<const char*>(head + prefix), header_size);
    NpyLayout layout;
    if (std::string problem = HeaderParser(text).parse(layout.header); !problem.empty()) {
        // The padding (spaces, then '\n') says nothing: shown without it.
        const size_t shown = text.find_last_not_of(" \n");
        return file_error(name, "malformed .npy header (" + problem + ") in " +
                                    excerpt(text.substr(0, shown == std::string_view::npos ? 0 : shown + 1)) + "; " +
                                    kResave);
    }
    Result<Dtype> dtype = parse_dtype(layout.header, name, integers);
    if (!dtype) return dtype.error();
    Result<int64_t> count = check_dims(layout.header.dims, name);
    if (!count) return count.error();

    layout.data_offset = prefix + header_size;
    layout.dtype = dtype.value();
    layout.count = count.value();
    const uint64_t promised = static_cast<uint64_t>(layout.count) * layout.dtype.itemsize;
    if (promised > size - layout.data_offset) {
        return file_error(name, "file is truncated: header promises " + std::to_string(promised) +
                                    " bytes of data, file holds " + std::to_string(size - layout.data_offset) + "; " +
                                    kResave);
    }
    return layout;
}

// Names of dtypes as users know them, for Array::dtype.
std::string dtype_text(const Dtype& t) {
    const char code = t.kind == Kind::Float ? 'f' : t.kind == Kind::Signed ? 'i' : 'u';
    return dtype_name(code, t.itemsize);
}

// Fills `array.values` (and values64 for float64) from the raw data bytes; float64 values
// beyond float32's range are an Error (narrow_float64).
Status fill_values(Array& array, const uint8_t* data, const NpyLayout& l, const std::string& name) {
    const bool fortran = l.header.fortran_order;
    if (l.dtype.kind == Kind::Float && l.dtype.itemsize == 8) {
        array.values64 = convert_items<std::vector<double>>(data, l.count, l.dtype, l.header.dims, fortran);
        return narrow_float64(array, name);
    }
    array.values = convert_items<FloatValues>(data, l.count, l.dtype, l.header.dims, fortran);
    return Ok{};
}

Array array_for(const NpyLayout& l) {
    Array array;
    array.dims = l.header.dims;
    array.dtype = dtype_text(l.dtype);
    return array;
}

// Little-endian float32 in C order on a little-endian machine: the bytes are the tensor.
bool is_raw_float32(const NpyLayout& layout) {
    const Dtype& t = layout.dtype;
    return t.kind == Kind::Float && t.itemsize == 4 && !t.big_endian && !layout.header.fortran_order &&
           std::endian::native == std::endian::little;
}

// Little-endian float16 in C order on a little-endian machine.
bool is_raw_float16(const NpyLayout& layout) {
    const Dtype& t = layout.dtype;
    return t.kind == Kind::Float && t.itemsize == 2 && !t.big_endian && !layout.header.fortran_order &&
           std::endian::native == std::endian::little;
}

// float32 value of every float16 bit pattern, made once.
const std::vector<float>& half_table() {
    static const std::vector<float> table = [] {
        std::vector<float> t(size_t{1} << 16);
        for (size_t b = 0; b < t.size(); ++b) t[b] = half_to_float(static_cast<uint16_t>(b));
        return t;
    }();
    return table;
}

bool read_exactly(std::FILE* file, void* out, size_t bytes) { return std::fread(out, 1, bytes, file) == bytes; }

}  // namespace

Result<Array> parse_npy_array(const uint8_t* bytes, size_t size, const std::string& name, IntegerPolicy integers) {
    Result<NpyLayout> layout = parse_layout(bytes, size, size, name, integers);
    if (!layout) return layout.error();
    const NpyLayout& l = layout.value();
    Array array = array_for(l);
    if (Status filled = fill_values(array, bytes + l.data_offset, l, name); !filled) return filled.error();
    return array;
}

Result<Tensor> parse_npy(const std::vector<uint8_t>& bytes, const std::string& name, IntegerPolicy integers) {
    Result<Array> array = parse_npy_array(bytes.data(), bytes.size(), name, integers);
    if (!array) return array.error();
    return tensor_from_array(std::move(array.value()), std::nullopt, name);
}

Result<Tensor> read_npy(const std::string& path, IntegerPolicy integers) {
    Result<std::optional<Tensor>> mapped = map_npy_tensor(path, std::nullopt);
    if (mapped && mapped.value()) return std::move(*mapped.value());
    Result<Array> array = read_npy_array(path, integers);
    if (!array) return array.error();
    return tensor_from_array(std::move(array.value()), std::nullopt, path);
}

namespace {

Error read_error(const std::string& path, int saved) {
    return file_error(
        path, std::string("cannot read: ") + std::strerror(saved) + "; check the file's permissions and the disk");
}

// An open regular .npy file and its size. Only regular files: a FIFO, a device (/dev/zero)
// or a folder is refused before reading.
Result<std::pair<std::FILE*, uint64_t>> open_npy(const std::string& path) {
    Result<int> fd = open_regular_file(path, "a .npy file");
    if (!fd) return fd.error();
    std::FILE* file = fdopen(fd.value(), "rb");
    struct stat info {};
    if (file == nullptr || fstat(fileno(file), &info) != 0) {
        const int saved = errno;
        if (file != nullptr) std::fclose(file);
        else close(fd.value());
        return read_error(path, saved);
    }
    return std::make_pair(file, static_cast<uint64_t>(info.st_size));
}

// Reads the magic, version, length and header dict (only those bytes) and parses them
// against the file's size; parse_layout reports bad magic, versions, lengths, headers,
// dtypes and truncation.
Result<NpyLayout> read_layout(std::FILE* file, uint64_t file_size, const std::string& path, IntegerPolicy integers) {
    std::vector<uint8_t> head(static_cast<size_t>(std::min<uint64_t>(file_size, kMagicSize + 6)));
    if (!read_exactly(file, head.data(), head.size())) return read_error(path, errno);
    if (head.size() >= kMagicSize + 4 && std::memcmp(head.data(), kMagic, kMagicSize) == 0 &&
        (head[6] == 1 || head[6] == 2 || head[6] == 3) && head[7] == 0) {
        const size_t prefix = head[6] == 1 ? kMagicSize + 4 : kMagicSize + 6;
        if (head.size() >= prefix) {
            const uint64_t header_size = load_le(&head[8], head[6] == 1 ? 2 : 4);
            if (header_size <= file_size - prefix && header_size <= kMaxHeaderBytes) {
                const size_t had = head.size();
                head.resize(static_cast<size_t>(prefix + header_size));
                if (head.size() > had && !read_exactly(file, head.data() + had, head.size() - had))
                    return read_error(path, errno);
            }
        }
    }
    return parse_layout(head.data(), head.size(), file_size, path, integers);
}

}  // namespace

Result<Array> read_npy_description(const std::string& path) {
    Result<std::pair<std::FILE*, uint64_t>> opened = open_npy(path);
    if (!opened) return opened.error();
    auto [file, file_size] = opened.value();
    Result<NpyLayout> layout = read_layout(file, file_size, path, IntegerPolicy::Convert);
    std::fclose(file);
    if (!layout) return layout.error();
    return array_for(layout.value());
}

namespace {

Result<NpyLayout> layout_of_head(const uint8_t* head, size_t size, uint64_t total_size, const std::string& name) {
    // parse_layout needs the whole header: a head cut inside it (even before the header's
    // length, as an archive member whose compressed stream ends early) reads as a cut header.
    if (size < std::min<uint64_t>(total_size, kMagicSize + 4))
        return file_error(name, std::string("the .npy header is cut short; ") + kResave);
    if (size >= kMagicSize + 4 && std::memcmp(head, kMagic, kMagicSize) == 0) {
        const size_t prefix = head[6] == 1 ? kMagicSize + 4 : kMagicSize + 6;
        if (size < prefix || load_le(&head[8], head[6] == 1 ? 2 : 4) > size - prefix)
            return file_error(name, std::string("the .npy header is cut short; ") + kResave);
    }
    return parse_layout(head, size, total_size, name, IntegerPolicy::Convert);
}

}  // namespace

Result<Array> parse_npy_description(const uint8_t* head, size_t size, uint64_t total_size, const std::string& name) {
    Result<NpyLayout> layout = layout_of_head(head, size, total_size, name);
    if (!layout) return layout.error();
    return array_for(layout.value());
}

Result<uint64_t> npy_bytes_needed(const uint8_t* head, size_t size, uint64_t total_size, const std::string& name) {
    Result<NpyLayout> layout = layout_of_head(head, size, total_size, name);
    if (!layout) return layout.error();
    return layout.value().data_offset + static_cast<uint64_t>(layout.value().count) * layout.value().dtype.itemsize;
}

Result<Array> read_npy_array(const std::string& path, IntegerPolicy integers) {
    Result<std::pair<std::FILE*, uint64_t>> opened = open_npy(path);
    if (!opened) return opened.error();
    std::FILE* file = opened.value().first;
    // Read the header, check it against the file's size, then read the data straight into
    // the tensor (no copy of the whole file, no allocation beyond the size).
    Result<NpyLayout> layout = read_layout(file, opened.value().second, path, integers);
    if (!layout) {
        std::fclose(file);
        return layout.error();
    }
    const NpyLayout& l = layout.value();
    Array array = array_for(l);
    bool ok = std::fseek(file, static_cast<long>(l.data_offset), SEEK_SET) == 0;
    if (ok && is_raw_float32(l)) {
        array.values.resize(static_cast<size_t>(l.count));  // the bytes are the values
        ok = read_exactly(file, array.values.data(), array.values.size() * sizeof(float));
    } else if (ok && is_raw_float16(l)) {
        // Mixed-precision activations: converted a cache-sized piece at a time, straight
        // into the values, through a table of all 65536 halves (exact by construction).
        const std::vector<float>& table = half_table();
        array.values.resize(static_cast<size_t>(l.count));
        std::vector<uint16_t> piece(size_t{1} << 16);
        for (size_t done = 0; ok && done < array.values.size();) {
            const size_t n = std::min(piece.size(), array.values.size() - done);
            ok = read_exactly(file, piece.data(), n * sizeof(uint16_t));
            for (size_t i = 0; ok && i < n; ++i) array.values[done + i] = table[piece[i]];
            done += n;
        }
    } else if (ok) {
        std::vector<uint8_t> data(static_cast<size_t>(l.count) * l.dtype.itemsize);
        ok = read_exactly(file, data.data(), data.size());
        if (ok) {
            if (Status filled = fill_values(array, data.data(), l, path); !filled) {
                std::fclose(file);
                return filled.error();
            }
        }
    }
    const int saved = errno;
    std::fclose(file);
    if (!ok) return read_error(path, saved);
    return array;
}

uint64_t map_threshold_bytes() {
    if (const char* text = std::getenv("NORMVIZ_MAP_NPY_ABOVE")) {
        char* end = nullptr;
        const unsigned long long bytes = std::strtoull(text, &end, 10);
        if (end != text && *end == '\0') return bytes;
    }
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return UINT64_MAX;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2;
}

Result<std::optional<Tensor>> map_npy_tensor(const std::string& path, std::optional<Layout> layout) {
    Result<std::pair<std::FILE*, uint64_t>> opened = open_npy(path);
    if (!opened) return opened.error();
    auto [file, file_size] = opened.value();
    Result<NpyLayout> read = read_layout(file, file_size, path, IntegerPolicy::Refuse);
    std::optional<Tensor> none;
    // Only values that are the file's bytes in NCHW order map; the rest is read and converted.
    const int rank = read ? static_cast<int>(read.value().header.dims.size()) : 0;
    const bool mappable = read && is_raw_float32(read.value()) && read.value().data_offset % alignof(float) == 0 &&
                          static_cast<uint64_t>(read.value().count) * sizeof(float) > map_threshold_bytes() &&
                          rank >= 2 && rank <= 4 && !is_channels_last(layout.value_or(default_layout(rank)));
    if (!mappable) {
        std::fclose(file);
        return none;
    }
    // MAP_PRIVATE: the program's own edits (the batch editor) copy only the pages they touch and
    // never reach the file. The mapping outlives the descriptor.
    void* address = mmap(nullptr, static_cast<size_t>(file_size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fileno(file), 0);
    const int saved = errno;
    std::fclose(file);
    if (address == MAP_FAILED) return read_error(path, saved);
    auto mapping = std::make_shared<FileMapping>(address, static_cast<size_t>(file_size));
    const NpyLayout& l = read.value();
    Result<Tensor> tensor = tensor_from_array(array_for(l), layout, path);
    if (!tensor) return tensor.error();
    float* first = reinterpret_cast<float*>(static_cast<uint8_t*>(address) + l.data_offset);
    tensor.value().data = FloatBuffer(std::move(mapping), first, static_cast<size_t>(l.count));
    return std::optional<Tensor>(std::move(tensor.value()));
}

const char* npy_dtype_name(NpyDtype dtype) {
    switch (dtype) {
        case NpyDtype::Float32: return "float32";
        case NpyDtype::Float64: return "float64";
        case NpyDtype::Float16: return "float16";
    }
    return "?";
}

Result<NpyDtype> parse_npy_dtype(const std::string& text) {
    for (NpyDtype d : {NpyDtype::Float32, NpyDtype::Float64, NpyDtype::Float16}) {
        if (text == npy_dtype_name(d)) return d;
    }
    return make_error("unknown dtype '" + text + "'; use float32, float64 or float16");
}

Status write_npy(const std::string& path, const Tensor& tensor, NpyDtype dtype) {
    static_assert(std::endian::native == std::endian::little, "the writers store native bytes");
    const std::vector<int64_t> dims = source_dims(tensor);
    NORMVIZ_ASSERT(static_cast<int64_t>(tensor.data.size()) == tensor.shape.numel(),
                   "tensor.data holds shape.numel() values");
    const size_t count = tensor.data.size();
    if (dtype == NpyDtype::Float32 && !is_channels_last(tensor.layout)) {
        // The common case writes straight from the tensor: no copy.
        return write_atomically(path, make_header("<f4", dims), [&](SafeWriter& file) {
            return file.write(tensor.data.data(), sizeof(float) * count);
        });
    }
    if (dtype == NpyDtype::Float64) {
        std::vector<double> wide(count);
        if (tensor.has_exact64()) {
            from_nchw(tensor.data64.data(), tensor.shape, tensor.layout, wide.data());
        } else {
            std::vector<double> upcast(tensor.data.begin(), tensor.data.end());
            from_nchw(upcast.data(), tensor.shape, tensor.layout, wide.data());
        }
        return write_atomically(path, make_header("<f8", dims),
                                [&](SafeWriter& file) { return file.write(wide.data(), sizeof(double) * count); });
    }
    std::vector<float> ordered(count);
    from_nchw(tensor.data.data(), tensor.shape, tensor.layout, ordered.data());
    if (dtype == NpyDtype::Float32) {
        return write_atomically(path, make_header("<f4", dims),
                                [&](SafeWriter& file) { return file.write(ordered.data(), sizeof(float) * count); });
    }
    std::vector<uint16_t> half(count);
    for (size_t i = 0; i < count; ++i) {
        half[i] = float_to_half(ordered[i]);
        // A finite value past 65504 would be written as Inf without a word: refused, and
        // nothing is written.
        if ((half[i] & 0x7fffu) == 0x7c00u && std::isfinite(ordered[i])) {
            std::vector<int64_t> index(dims.size());
            int64_t rest = static_cast<int64_t>(i);
            for (size_t k = dims.size(); k-- > 0;) {
                index[k] = rest % dims[k];
                rest /= dims[k];
            }
            std::string where;
            for (size_t k = 0; k < index.size(); ++k) where += (k ? ", " : "") + std::to_string(index[k]);
            char value[32];
            const auto printed = std::to_chars(value, value + sizeof value, ordered[i]);
            return file_error(path, "value " + std::string(value, printed.ptr) + " at index [" + where +
                                        "] exceeds the range of float16 (at most 65504 in magnitude); "
                                        "write float32 or float64 instead");
        }
    }
    return write_atomically(path, make_header("<f2", dims),
                            [&](SafeWriter& file) { return file.write(half.data(), sizeof(uint16_t) * count); });
}

Status write_npy_u8(const std::string& path, const std::vector<int64_t>& dims, const std::vector<uint8_t>& values) {
    int64_t count = 1;
    for (int64_t d : dims) {
        NORMVIZ_ASSERT(d >= 0 && !__builtin_mul_overflow(count, d, &count), "valid dims");
    }
    NORMVIZ_ASSERT(static_cast<int64_t>(values.size()) == count, "values match dims");
    return write_atomically(path, make_header("|u1", dims),
                            [&](SafeWriter& file) { return file.write(values.data(), values.size()); });
}

}  // namespace normviz::core
