// The truth files' reader shared by the PyTorch fixture tests: float64 arrays as numpy's
// np.save writes them. Kept apart from core's readers, so that a truth never passes through
// the code under test.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace normviz::test {

// A float64 array as written by the fixture script: '<f8', C order.
struct F64Array {
    std::vector<int64_t> dims;
    std::vector<double> values;
};

// Minimal .npy reader for the truth and statistics files (numpy's np.save, format 1.0 to
// 3.0, little-endian float64, C order). Kept local so that the truth does not pass through
// the float32 reader under test.
inline ::testing::AssertionResult read_f64_npy(const std::string& path, F64Array& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return ::testing::AssertionFailure() << "cannot open " << path;
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) {
        return ::testing::AssertionFailure() << path << ": not a .npy file";
    }
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
    size_t header_len = 0, offset = 0;
    if (byte(6) == 1) {
        header_len = byte(8) | (size_t{byte(9)} << 8);
        offset = 10;
    } else if (byte(6) == 2 || byte(6) == 3) {
        if (bytes.size() < 12) return ::testing::AssertionFailure() << path << ": truncated";
        header_len = byte(8) | (size_t{byte(9)} << 8) | (size_t{byte(10)} << 16) | (size_t{byte(11)} << 24);
        offset = 12;
    } else {
        return ::testing::AssertionFailure() << path << ": unknown .npy version";
    }
    if (offset + header_len > bytes.size()) {
        return ::testing::AssertionFailure() << path << ": truncated header";
    }
    const std::string header(bytes.data() + offset, header_len);
    if (header.find("'descr': '<f8'") == std::string::npos ||
        header.find("'fortran_order': False") == std::string::npos) {
        return ::testing::AssertionFailure() << path << ": expected '<f8' in C order, header is " << header;
    }
    const size_t open = header.find("'shape': (");
    const size_t close = header.find(')', open);
    if (open == std::string::npos || close == std::string::npos) {
        return ::testing::AssertionFailure() << path << ": no shape in " << header;
    }
    out.dims.clear();
    std::istringstream shape(header.substr(open + 10, close - open - 10));
    std::string item;
    int64_t count = 1;
    while (std::getline(shape, item, ',')) {
        if (item.find_first_not_of(' ') == std::string::npos) continue;
        out.dims.push_back(std::stoll(item));
        count *= out.dims.back();
    }
    const size_t data_at = offset + header_len;
    if (bytes.size() - data_at != static_cast<size_t>(count) * sizeof(double)) {
        return ::testing::AssertionFailure()
               << path << ": " << bytes.size() - data_at << " data bytes, expected " << count * 8;
    }
    static_assert(std::endian::native == std::endian::little, "the loader assumes '<f8'");
    out.values.resize(static_cast<size_t>(count));
    std::memcpy(out.values.data(), bytes.data() + data_at, static_cast<size_t>(count) * 8);
    return ::testing::AssertionSuccess();
}

}  // namespace normviz::test
