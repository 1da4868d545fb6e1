// Opening arrays from .npy, .npz (zip, stored or deflated through zlib) and .safetensors
// files, and recognizing torch.save files so they can be refused without unpickling.
#include "core/array_file.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "core/input_file.h"
#include "core/json_depth.h"

namespace normviz::core {
namespace {

constexpr const char* kTorchFix =
    "normviz never unpickles files; convert the tensor with "
    "np.save(path, t.detach().cpu().numpy())";

// "name: text" on one line: control characters (from the file's bytes) become '?'.
Error file_error(const std::string& name, const std::string& text) {
    std::string message = name + ": " + text;
    for (char& ch : message) {
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    }
    return make_error(std::move(message));
}

bool ends_with(const std::string& text, const std::string& tail) {
    return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

uint64_t load_le(const uint8_t* p, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// A regular file opened for reading ranges; closes itself.
class File {
public:
    static Result<File> open(const std::string& path) {
        // Only regular files: a FIFO or a device is refused before anything is read.
        Result<int> fd = open_regular_file(path, "an array file");
        if (!fd) return fd.error();
        std::FILE* f = fdopen(fd.value(), "rb");
        struct stat info {};
        if (f == nullptr || fstat(fileno(f), &info) != 0) {
            const int saved = errno;
            if (f != nullptr) std::fclose(f);
            else close(fd.value());
            return file_error(path, std::string("cannot read: ") + std::strerror(saved));
        }
        return File(f, static_cast<uint64_t>(info.st_size), path);
    }
    uint64_t size() const { return size_; }
    const std::string& path() const { return path_; }
    // Reads `bytes` at `offset`; false when the file is shorter or a read fails.
    bool read(uint64_t offset, void* out, uint64_t bytes) const {
        if (offset > size_ || bytes > size_ - offset) return false;
        if (fseeko(file_.get(), static_cast<off_t>(offset), SEEK_SET) != 0) return false;
        return std::fread(out, 1, bytes, file_.get()) == bytes;
    }

private:
    struct Closer {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    File(std::FILE* f, uint64_t size, std::string path) : file_(f), size_(size), path_(std::move(path)) {}
    std::unique_ptr<std::FILE, Closer> file_;
    uint64_t size_ = 0;
    std::string path_;
};

// ---- zip (.npz) ----

struct ZipEntry {
    std::string name;
    uint16_t method = 0;  // 0 stored, 8 deflated
    bool encrypted = false;  // general-purpose flag bit 0: the data cannot be read without a password
    uint32_t crc = 0;
    uint64_t compressed = 0, uncompressed = 0, local_offset = 0;
};

// The central directory, as APPNOTE.TXT describes it (with zip64 records, which numpy's
// savez always writes for its members).
Result<std::vector<ZipEntry>> zip_entries(const File& file) {
    const std::string& name = file.path();
    const auto corrupt = [&](const std::string& what) {
        return file_error(name, "not a readable zip archive (" + what +
                                    "); re-save it with "
                                    "np.savez or np.savez_compressed");
    };
    const uint64_t tail_size = std::min<uint64_t>(file.size(), 22 + 0xffff);
    std::vector<uint8_t> tail(tail_size);
    if (!file.read(file.size() - tail_size, tail.data(), tail_size)) return corrupt("cannot read its end");
    // The end record is the last signature whose comment ends where the file ends: a
    // comment length that runs past the end (or stops short of it) is not numpy's archive.
    int64_t eocd = -1;
    bool signature_seen = false;
    for (int64_t i = static_cast<int64_t>(tail_size) - 22; i >= 0 && eocd < 0; --i) {
        if (load_le(&tail[i], 4) != 0x06054b50) continue;
        signature_seen = true;
        if (static_cast<uint64_t>(i) + 22 + load_le(&tail[i] + 20, 2) == tail_size) eocd = i;
    }
    if (eocd < 0 && signature_seen) return corrupt("the end record's comment length does not fit the file");
    if (eocd < 0) return corrupt("no end of central directory");
    const uint8_t* e = &tail[static_cast<size_t>(eocd)];
    uint64_t count = load_le(e + 10, 2), cd_size = load_le(e + 12, 4), cd_offset = load_le(e + 16, 4);
    if (count == 0xffff || cd_size == 0xffffffff || cd_offset == 0xffffffff) {
        // Zip64: the locator sits just before the end record and points at the zip64 record.
        uint8_t locator[20];
        const uint64_t eocd_at = file.size() - tail_size + static_cast<uint64_t>(eocd);
        if (eocd_at < 20 || !file.read(eocd_at - 20, locator, 20) || load_le(locator, 4) != 0x07064b50)
            return corrupt("no zip64 locator");
        uint8_t record[56];
        if (!file.read(load_le(locator + 8, 8), record, 56) || load_le(record, 4) != 0x06064b50)
            return corrupt("no zip64 end record");
        count = load_le(record + 32, 8);
        cd_size = load_le(record + 40, 8);
        cd_offset = load_le(record + 48, 8);
    }
    if (cd_size > file.size() || cd_offset > file.size() - cd_size || count > cd_size / 46)
        return corrupt("central directory outside the file");
    std::vector<uint8_t> cd(static_cast<size_t>(cd_size));
    if (!file.read(cd_offset, cd.data(), cd_size)) return corrupt("cannot read the central directory");
    std::vector<ZipEntry> entries;
    size_t at = 0;
    for (uint64_t k = 0; k < count; ++k) {
        if (at + 46 > cd.size() || load_le(&cd[at], 4) != 0x02014b50) return corrupt("bad directory entry");
        const uint8_t* h = &cd[at];
        ZipEntry entry;
        entry.encrypted = (load_le(h + 8, 2) & 1) != 0;
        entry.method = static_cast<uint16_t>(load_le(h + 10, 2));
        entry.crc = static_cast<uint32_t>(load_le(h + 16, 4));
        entry.compressed = load_le(h + 20, 4);
        entry.uncompressed = load_le(h + 24, 4);
        const size_t name_len = load_le(h + 28, 2), extra_len = load_le(h + 30, 2), comment_len = load_le(h + 32, 2);
        entry.local_offset = load_le(h + 42, 4);
        if (at + 46 + name_len + extra_len + comment_len > cd.size()) return corrupt("bad directory entry");
        entry.name.assign(reinterpret_cast<const char*>(h + 46), name_len);
        // Zip64 extra field: the 64-bit values of the fields that read 0xffffffff, in order.
        for (size_t x = 0; x + 4 <= extra_len;) {
            const uint8_t* f = h + 46 + name_len + x;
            const size_t id = load_le(f, 2), len = load_le(f + 2, 2);
            if (x + 4 + len > extra_len) break;
            if (id == 0x0001) {
                size_t p = 4;
                for (uint64_t* field : {&entry.uncompressed, &entry.compressed, &entry.local_offset}) {
                    if (*field != 0xffffffff) continue;
                    if (p + 8 > 4 + len) return corrupt("short zip64 field");
                    *field = load_le(f + p, 8);
                    p += 8;
                }
            }
            x += 4 + len;
        }
        entries.push_back(std::move(entry));
        at += 46 + name_len + extra_len + comment_len;
    }
    return entries;
}

bool is_torch_zip(const std::vector<ZipEntry>& entries) {
    return std::any_of(entries.begin(), entries.end(),
                       [](const ZipEntry& e) { return e.name == "data.pkl" || ends_with(e.name, "/data.pkl"); });
}

// An .npz member's name as numpy shows it: without ".npy".
std::string member_name(const ZipEntry& entry) {
    return ends_with(entry.name, ".npy") ? entry.name.substr(0, entry.name.size() - 4) : entry.name;
}

// The member's bytes, inflated and checked against its CRC-32.
Result<std::vector<uint8_t>> zip_member_bytes(const File& file, const ZipEntry& entry) {
    const std::string where = file.path() + ":" + member_name(entry);
    const auto corrupt = [&](const std::string& what) {
        return file_error(where, what + "; re-save it with np.savez or np.savez_compressed");
    };
    if (entry.method != 0 && entry.method != 8)
        return corrupt("compressed with zip method " + std::to_string(entry.method) +
                       ", normviz reads stored and deflated members");
    uint8_t local[30];
    if (!file.read(entry.local_offset, local, 30) || load_le(local, 4) != 0x04034b50)
        return corrupt("the member's local header is missing");
    const uint64_t data_at = entry.local_offset + 30 + load_le(local + 26, 2) + load_le(local + 28, 2);
    if (entry.compressed > file.size() || data_at > file.size() - entry.compressed)
        return corrupt("the member runs past the end of the file (truncated)");
    // An .npy of kMaxElements float64 values and its header is the most a member may hold.
    if (entry.uncompressed > static_cast<uint64_t>(kMaxElements) * 8 + (1u << 20))
        return corrupt("the member claims " + std::to_string(entry.uncompressed) + " bytes, more than normviz reads");
    if (entry.method == 0 && entry.compressed != entry.uncompressed)
        return corrupt("stored member with two different sizes");
    // Deflate expands at most about 1032:1, so a larger claim is a corrupt (or hostile)
    // header: refuse it before allocating what it claims.
    if (entry.method == 8 && entry.uncompressed / 1032 > entry.compressed + 1)
        return corrupt("the member claims " + std::to_string(entry.uncompressed) + " bytes from " +
                       std::to_string(entry.compressed) + " compressed ones, more than deflate can give");
    std::vector<uint8_t> packed(static_cast<size_t>(entry.compressed));
    if (!file.read(data_at, packed.data(), packed.size())) return corrupt("cannot read the member");
    std::vector<uint8_t> out;
    if (entry.method == 0) {
        out = std::move(packed);
    } else {
        out.resize(static_cast<size_t>(entry.uncompressed));
        z_stream z{};
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return corrupt("zlib could not start");
        size_t in_done = 0, out_done = 0;
        int rc = Z_OK;
        // zlib counts in uInt: feed and drain in pieces below 4 GiB.
        while (rc == Z_OK) {
            const size_t in_piece = std::min<size_t>(packed.size() - in_done, 1u << 30);
            const size_t out_piece = std::min<size_t>(out.size() - out_done, 1u << 30);
            z.next_in = packed.data() + in_done;
            z.avail_in = static_cast<uInt>(in_piece);
            z.next_out = out.data() + out_done;
            z.avail_out = static_cast<uInt>(out_piece);
            rc = inflate(&z, Z_NO_FLUSH);
            in_done += in_piece - z.avail_in;
            out_done += out_piece - z.avail_out;
            if (rc == Z_OK && in_piece == z.avail_in && out_piece == z.avail_out) rc = Z_BUF_ERROR;
            if (rc == Z_BUF_ERROR && (in_done == packed.size() || out_done == out.size())) break;
        }
        inflateEnd(&z);
        if (rc != Z_STREAM_END || out_done != out.size()) return corrupt("the compressed data is corrupt or truncated");
    }
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t done = 0; done < out.size();) {
        const size_t piece = std::min<size_t>(out.size() - done, 1u << 30);
        crc = crc32(crc, out.data() + done, static_cast<uInt>(piece));
        done += piece;
    }
    if (crc != entry.crc) return corrupt("the member fails its CRC-32 check (the file is corrupt)");
    return out;
}

// An .npz member's first bytes (at most the largest .npy header), so listing an archive
// never inflates or allocates its data.
Result<std::vector<uint8_t>> npz_member_head(const File& file, const ZipEntry& entry) {
    const std::string where = file.path() + ":" + member_name(entry);
    if (entry.encrypted)
        return file_error(where, "the member is encrypted; normviz reads archives saved by np.savez, without a password");
    uint8_t local[30];
    if (!file.read(entry.local_offset, local, 30) || load_le(local, 4) != 0x04034b50)
        return file_error(where, "the member's local header is missing");
    const uint64_t data_at = entry.local_offset + 30 + load_le(local + 26, 2) + load_le(local + 28, 2);
    if (entry.compressed > file.size() || data_at > file.size() - entry.compressed)
        return file_error(where, "the member runs past the end of the file (truncated)");
    constexpr size_t kHeadBytes = 10000 + 16;  // numpy's header limit, magic and length
    std::vector<uint8_t> head(static_cast<size_t>(std::min<uint64_t>(entry.uncompressed, kHeadBytes)));
    if (entry.method == 0) {
        if (!file.read(data_at, head.data(), head.size())) return file_error(where, "cannot read the member");
    } else if (entry.method == 8) {
        // Inflate a 64 KiB piece of input at a time until the head is full.
        z_stream z{};
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return file_error(where, "zlib could not start");
        std::vector<uint8_t> packed(64 << 10);
        uint64_t in_done = 0;
        z.next_out = head.data();
        z.avail_out = static_cast<uInt>(head.size());
        int rc = Z_OK;
        while (rc == Z_OK && z.avail_out > 0 && in_done < entry.compressed) {
            const size_t piece = static_cast<size_t>(std::min<uint64_t>(packed.size(), entry.compressed - in_done));
            if (!file.read(data_at + in_done, packed.data(), piece)) break;
            in_done += piece;
            z.next_in = packed.data();
            z.avail_in = static_cast<uInt>(piece);
            rc = inflate(&z, Z_NO_FLUSH);
        }
        head.resize(head.size() - z.avail_out);
        inflateEnd(&z);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            return file_error(where, "the compressed data is corrupt; re-save it with np.savez or np.savez_compressed");
    } else {
        return file_error(where, "compressed with zip method " + std::to_string(entry.method) +
                                     ", normviz reads stored and deflated members; re-save it with np.savez or "
                                     "np.savez_compressed");
    }
    return head;
}

Result<Array> describe_npz_member(const File& file, const ZipEntry& entry) {
    Result<std::vector<uint8_t>> head = npz_member_head(file, entry);
    if (!head) return head.error();
    return parse_npy_description(head.value().data(), head.value().size(), entry.uncompressed,
                                 file.path() + ":" + member_name(entry));
}

// A member larger than its .npy needs is refused before it is inflated: np.savez writes
// nothing after the data, and a small file could otherwise inflate gigabytes of padding.
Status check_member_size(const File& file, const ZipEntry& entry) {
    const std::string where = file.path() + ":" + member_name(entry);
    Result<std::vector<uint8_t>> head = npz_member_head(file, entry);
    if (!head) return head.error();
    Result<uint64_t> needed = npy_bytes_needed(head.value().data(), head.value().size(), entry.uncompressed, where);
    if (!needed) return needed.error();
    if (entry.uncompressed > needed.value())
        return file_error(where, "the member claims " + std::to_string(entry.uncompressed) + " bytes, its array needs " +
                                     std::to_string(needed.value()) +
                                     "; np.savez writes nothing more, re-save it with np.savez or np.savez_compressed");
    return Ok{};
}

std::string names_list(const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out;
}

// The member to open: `member`, or the only one. Errors list the names.
template <class Entry, class NameOf>
Result<const Entry*> pick_member(const std::vector<Entry>& entries, const std::string& member, const std::string& path,
                                 const char* kind, NameOf name_of) {
    std::vector<std::string> names;
    for (const Entry& e : entries) names.push_back(name_of(e));
    const std::string listed =
        std::to_string(names.size()) + (names.size() == 1 ? " array: " : " arrays: ") + names_list(names);
    if (member.empty()) {
        if (entries.size() == 1) return &entries[0];
        if (entries.empty()) return file_error(path, std::string("the ") + kind + " file holds no arrays");
        return file_error(path, std::string("holds ") + listed + "; pick one with " + path + ":NAME");
    }
    for (size_t i = 0; i < entries.size(); ++i) {
        if (names[i] == member) return &entries[i];
    }
    return file_error(path, "has no array named '" + member + "'; it holds " + listed);
}

Result<Array> read_npz(const File& file, const std::string& member, IntegerPolicy integers) {
    Result<std::vector<ZipEntry>> entries = zip_entries(file);
    if (!entries) return entries.error();
    if (is_torch_zip(entries.value()))
        return file_error(file.path(), std::string("a PyTorch file (torch.save), not an array; ") + kTorchFix);
    Result<const ZipEntry*> picked = pick_member(entries.value(), member, file.path(), ".npz", member_name);
    if (!picked) return picked.error();
    if (Status ok = check_member_size(file, *picked.value()); !ok) return ok.error();
    Result<std::vector<uint8_t>> bytes = zip_member_bytes(file, *picked.value());
    if (!bytes) return bytes.error();
    return parse_npy_array(bytes.value().data(), bytes.value().size(), file.path() + ":" + member_name(*picked.value()),
                           integers);
}

// ---- safetensors ----

struct SafeEntry {
    std::string name, dtype;
    std::vector<int64_t> dims;
    uint64_t begin = 0, end = 0;
};

struct SafeHeader {
    std::vector<SafeEntry> entries;
    uint64_t data_start = 0;
};

// The format: u64 little-endian header length, a JSON object {name: {dtype, shape,
// data_offsets}} (plus "__metadata__"), then the data, offsets relative to its start.
Result<SafeHeader> safetensors_header(const File& file) {
    const auto corrupt = [&](const std::string& what) {
        return file_error(file.path(), "not a readable .safetensors file (" + what + ")");
    };
    uint8_t size_bytes[8];
    if (!file.read(0, size_bytes, 8)) return corrupt("shorter than 8 bytes");
    const uint64_t header_size = load_le(size_bytes, 8);
    if (header_size > file.size() - 8 || header_size > (100u << 20))
        return corrupt("header length " + std::to_string(header_size) + " runs past the file");
    std::string text(static_cast<size_t>(header_size), '\0');
    if (!file.read(8, text.data(), header_size)) return corrupt("cannot read the header");
    SafeHeader header;
    header.data_start = 8 + header_size;
    if (json_nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth) return corrupt("the header nests too deeply");
    const nlohmann::json json = nlohmann::json::parse(text, nullptr, false, true);
    if (json.is_discarded() || !json.is_object()) return corrupt("the header is not a JSON object");
    for (const auto& [name, item] : json.items()) {
        if (name == "__metadata__") continue;
        if (!item.is_object() || !item.contains("dtype") || !item["dtype"].is_string() || !item.contains("shape") ||
            !item["shape"].is_array() || !item.contains("data_offsets") || !item["data_offsets"].is_array() ||
            item["data_offsets"].size() != 2)
            return corrupt("entry '" + name + "' lacks dtype, shape or data_offsets");
        SafeEntry entry;
        entry.name = name;
        entry.dtype = item["dtype"].get<std::string>();
        for (const auto& d : item["shape"]) {
            if (!d.is_number_integer() || d.get<int64_t>() < 0) return corrupt("bad shape of '" + name + "'");
            entry.dims.push_back(d.get<int64_t>());
        }
        for (const auto& o : item["data_offsets"]) {
            if (!o.is_number_unsigned()) return corrupt("bad data_offsets of '" + name + "'");
        }
        entry.begin = item["data_offsets"][0].get<uint64_t>();
        entry.end = item["data_offsets"][1].get<uint64_t>();
        header.entries.push_back(std::move(entry));
    }
    // Offsets order the data; show the arrays in that order.
    std::stable_sort(header.entries.begin(), header.entries.end(),
                     [](const SafeEntry& a, const SafeEntry& b) { return a.begin < b.begin; });
    // Tensors own disjoint bytes (the format's own reader refuses overlaps too): a header
    // whose offsets overlap lies about at least one tensor, so none of it is trusted.
    for (size_t i = 1; i < header.entries.size(); ++i) {
        const SafeEntry& a = header.entries[i - 1];
        const SafeEntry& b = header.entries[i];
        if (b.begin < a.end && b.end > b.begin)
            return corrupt("the data of '" + a.name + "' and '" + b.name + "' overlap (data_offsets [" +
                           std::to_string(a.begin) + ", " + std::to_string(a.end) + "] and [" +
                           std::to_string(b.begin) + ", " + std::to_string(b.end) + "])");
    }
    return header;
}

struct SafeDtype {
    const char* code;
    const char* name;
    int size;
};
constexpr SafeDtype kSafeDtypes[] = {
    {"F32", "float32", 4}, {"F16", "float16", 2}, {"BF16", "bfloat16", 2}, {"F64", "float64", 8},
    {"I8", "int8", 1},     {"I16", "int16", 2},   {"I32", "int32", 4},     {"I64", "int64", 8},
    {"U8", "uint8", 1},    {"U16", "uint16", 2},  {"U32", "uint32", 4},    {"U64", "uint64", 8},
};

Result<Array> read_safetensors(const File& file, const std::string& member, IntegerPolicy integers) {
    Result<SafeHeader> header = safetensors_header(file);
    if (!header) return header.error();
    Result<const SafeEntry*> picked = pick_member(header.value().entries, member, file.path(), ".safetensors",
                                                  [](const SafeEntry& e) { return e.name; });
    if (!picked) return picked.error();
    const SafeEntry& entry = *picked.value();
    const std::string where = file.path() + ":" + entry.name;
    const SafeDtype* dtype = nullptr;
    for (const SafeDtype& d : kSafeDtypes) {
        if (entry.dtype == d.code) dtype = &d;
    }
    if (dtype == nullptr)
        return file_error(where, "unsupported dtype " + entry.dtype +
                                     "; normviz reads F32, F16, "
                                     "BF16 and F64 (integers with --convert-int); save it with .float()");
    const bool integer = dtype->code[0] != 'F' && std::strcmp(dtype->code, "BF16") != 0;
    if (integer && integers == IntegerPolicy::Refuse)
        return file_error(where, std::string("integer dtype ") + dtype->name +
                                     "; convert with .float() before saving, or pass --convert-int");
    int64_t count = 1;
    for (int64_t d : entry.dims) {
        if (d == 0) return file_error(where, "has a zero-size dimension (the array is empty)");
        if (__builtin_mul_overflow(count, d, &count) || count > kMaxElements)
            return file_error(where, "has more than 2^34 elements, the most normviz reads");
    }
    if (entry.begin > entry.end || entry.end > file.size() - header.value().data_start ||
        entry.end - entry.begin != static_cast<uint64_t>(count) * dtype->size)
        return file_error(where,
                          "data_offsets do not match its shape and dtype, or run past the "
                          "end of the file; the file is truncated or corrupt");
    std::vector<uint8_t> raw(static_cast<size_t>(entry.end - entry.begin));
    if (!file.read(header.value().data_start + entry.begin, raw.data(), raw.size()))
        return file_error(where, "cannot read the data");
    Array array;
    array.dims = entry.dims;
    array.dtype = dtype->name;
    array.values.resize(static_cast<size_t>(count));
    const uint8_t* p = raw.data();
    const std::string code = dtype->code;
    for (int64_t i = 0; i < count; ++i, p += dtype->size) {
        const uint64_t bits = load_le(p, dtype->size);
        float v = 0;
        if (code == "F32") v = std::bit_cast<float>(static_cast<uint32_t>(bits));
        else if (code == "F16") v = half_to_float(static_cast<uint16_t>(bits));
        else if (code == "BF16") v = bfloat16_to_float(static_cast<uint16_t>(bits));
        else if (code == "F64") {
            if (array.values64.empty()) array.values64.resize(static_cast<size_t>(count));
            array.values64[static_cast<size_t>(i)] = std::bit_cast<double>(bits);
            continue;  // narrowed (and range-checked) below
        } else if (code[0] == 'I') {
            const int shift = 64 - 8 * dtype->size;  // sign-extend
            v = static_cast<float>(static_cast<int64_t>(bits << shift) >> shift);
        } else {
            v = static_cast<float>(bits);
        }
        array.values[static_cast<size_t>(i)] = v;
    }
    if (code == "F64") {
        if (Status narrowed = narrow_float64(array, where); !narrowed) return narrowed.error();
    }
    return array;
}

// ---- dispatch ----

enum class Format { Npy, Zip, Pickle, Safetensors, Unknown };

Format sniff(const File& file) {
    uint8_t head[9] = {};
    const uint64_t got = std::min<uint64_t>(file.size(), 9);
    if (!file.read(0, head, got)) return Format::Unknown;
    if (got >= 6 && std::memcmp(head, "\x93NUMPY", 6) == 0) return Format::Npy;
    if (got >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0) return Format::Zip;
    if (got >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5) return Format::Pickle;
    if (got >= 9 && head[8] == '{' && load_le(head, 8) < file.size()) return Format::Safetensors;
    return Format::Unknown;
}

// The format the bytes say, or else the name's extension: a .safetensors or .npz file whose
// first bytes are wrong is then refused by its own reader, in its terms, rather than as a
// file without the .npy magic.
Format format_of(const File& file) {
    const Format sniffed = sniff(file);
    if (sniffed != Format::Unknown) return sniffed;
    if (ends_with(file.path(), ".safetensors")) return Format::Safetensors;
    if (ends_with(file.path(), ".npz")) return Format::Zip;
    return Format::Unknown;
}

}  // namespace

ArraySource parse_array_source(const std::string& text) {
    // ".npy:" too, so that a member name given to a .npy file is refused in words.
    for (const char* ext : {".npz:", ".safetensors:", ".npy:"}) {
        const size_t at = text.find(ext);
        if (at != std::string::npos) {
            const size_t colon = at + std::strlen(ext) - 1;
            return {text.substr(0, colon), text.substr(colon + 1)};
        }
    }
    return {text, ""};
}

Result<Array> read_array(const std::string& source, IntegerPolicy integers) {
    return read_array(parse_array_source(source), integers);
}

Result<Array> read_array(const ArraySource& s, IntegerPolicy integers) {
    Result<File> file = File::open(s.path);
    if (!file) {
        // Missing files and folders: the .npy reader words the message for the common case.
        if (s.member.empty()) return read_npy_array(s.path, integers);
        return file.error();
    }
    const File& f = file.value();
    switch (format_of(f)) {
        case Format::Zip: return read_npz(f, s.member, integers);
        case Format::Safetensors: return read_safetensors(f, s.member, integers);
        case Format::Pickle:
            return file_error(s.path, std::string("a Python pickle (torch.save's legacy format or "
                                                  "pickle.dump), not an array; ") +
                                          kTorchFix);
        case Format::Npy:
            if (!s.member.empty())
                return file_error(s.path, "is a .npy file holding one array; drop ':" + s.member + "'");
            return read_npy_array(s.path, integers);
        case Format::Unknown: break;
    }
    return read_npy_array(s.path, integers);  // its error says what the bytes are not
}

Result<Tensor> read_tensor(const std::string& source, std::optional<Layout> layout, IntegerPolicy integers) {
    // A large float32 .npy is mapped, not read (map_npy_tensor); the file opened here only to
    // see its format is closed again.
    if (const ArraySource s = parse_array_source(source); s.member.empty()) {
        Result<File> file = File::open(s.path);
        if (file && format_of(file.value()) == Format::Npy) {
            Result<std::optional<Tensor>> mapped = map_npy_tensor(s.path, layout);
            if (mapped && mapped.value()) return std::move(*mapped.value());
        }
    }
    Result<Array> array = read_array(source, integers);
    if (!array) return array.error();
    return tensor_from_array(std::move(array.value()), layout, source);
}

Result<std::vector<ArrayEntry>> list_arrays(const std::string& path) {
    Result<File> file = File::open(path);
    if (!file) return file.error();
    const File& f = file.value();
    std::vector<ArrayEntry> out;
    switch (format_of(f)) {
        case Format::Zip: {
            Result<std::vector<ZipEntry>> entries = zip_entries(f);
            if (!entries) return entries.error();
            if (is_torch_zip(entries.value()))
                return file_error(path, std::string("a PyTorch file (torch.save), not an array; ") + kTorchFix);
            for (const ZipEntry& e : entries.value()) {
                Result<Array> a = describe_npz_member(f, e);
                ArrayEntry entry{member_name(e), {}, ""};
                if (a) entry.dims = a.value().dims, entry.dtype = a.value().dtype;
                out.push_back(std::move(entry));
            }
            return out;
        }
        case Format::Safetensors: {
            Result<SafeHeader> header = safetensors_header(f);
            if (!header) return header.error();
            for (const SafeEntry& e : header.value().entries) {
                std::string dtype = e.dtype;
                for (const SafeDtype& d : kSafeDtypes) {
                    if (e.dtype == d.code) dtype = d.name;
                }
                out.push_back({e.name, e.dims, dtype});
            }
            return out;
        }
        default: break;
    }
    Result<Array> a = read_npy_description(path);
    if (!a) return a.error();
    out.push_back({"", a.value().dims, a.value().dtype});
    return out;
}

}  // namespace normviz::core
