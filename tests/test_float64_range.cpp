// float64 data beyond float32's finite range: every reader (.npy, .npz member, .safetensors
// tensor, checkpoint buffers) refuses it in one line naming the file, the first such index
// and value, instead of turning it into +-Inf (core/array.h, narrow_float64).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "core/array_file.h"
#include "core/checkpoint.h"
#include "core/npy.h"
#include "scratch_files.h"

namespace normviz::core {
namespace {

namespace fs = std::filesystem;

std::string le_bytes(uint64_t value, int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
    return out;
}

std::string f8_bytes(const std::vector<double>& values) {
    std::string out;
    for (double v : values) out += le_bytes(std::bit_cast<uint64_t>(v), 8);
    return out;
}

// A version 1.0 .npy of little-endian float64 values.
std::string npy_f8(const std::string& shape, const std::vector<double>& values) {
    const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }\n";
    return std::string("\x93NUMPY\x01\x00", 8) + le_bytes(dict.size(), 2) + dict + f8_bytes(values);
}

// CRC-32 (the zip polynomial, bit by bit: short and obviously right).
uint32_t crc32_of(const std::string& bytes) {
    uint32_t crc = 0xffffffffu;
    for (unsigned char byte : bytes) {
        crc ^= byte;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// A zip of stored members (what np.savez writes, without zip64 records).
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& members) {
    std::string body, directory;
    for (const auto& [name, data] : members) {
        const uint32_t crc = crc32_of(data);
        const std::string sizes = le_bytes(crc, 4) + le_bytes(data.size(), 4) + le_bytes(data.size(), 4);
        directory += le_bytes(0x02014b50, 4) + le_bytes(20, 2) + le_bytes(20, 2) + le_bytes(0, 2) + le_bytes(0, 2) +
                     le_bytes(0, 4) + sizes + le_bytes(name.size(), 2) + le_bytes(0, 2) + le_bytes(0, 2) +
                     le_bytes(0, 2) + le_bytes(0, 2) + le_bytes(0, 4) + le_bytes(body.size(), 4) + name;
        body += le_bytes(0x04034b50, 4) + le_bytes(20, 2) + le_bytes(0, 2) + le_bytes(0, 2) + le_bytes(0, 4) + sizes +
                le_bytes(name.size(), 2) + le_bytes(0, 2) + name + data;
    }
    return body + directory + le_bytes(0x06054b50, 4) + le_bytes(0, 4) + le_bytes(members.size(), 2) +
           le_bytes(members.size(), 2) + le_bytes(directory.size(), 4) + le_bytes(body.size(), 4) + le_bytes(0, 2);
}

// A .safetensors file of F64 tensors, laid out one after another.
std::string safetensors_f64(const std::vector<std::pair<std::string, std::vector<double>>>& tensors) {
    std::string header = "{", data;
    for (const auto& [name, values] : tensors) {
        const size_t begin = data.size();
        data += f8_bytes(values);
        header += std::string(header.size() > 1 ? "," : "") + "\"" + name + "\": {\"dtype\": \"F64\", \"shape\": [" +
                  std::to_string(values.size()) + "], \"data_offsets\": [" + std::to_string(begin) + ", " +
                  std::to_string(data.size()) + "]}";
    }
    header += "}";
    return le_bytes(header.size(), 8) + header + data;
}

class Float64Range : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = test::fresh_dir(NORMVIZ_TEST_TMP_DIR, "f64range_",
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    }
    std::string write(const std::string& name, const std::string& bytes) {
        const std::string path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }
    fs::path dir_;
};

// The refusal names the file (or FILE:MEMBER), the index and the value, on one line.
::testing::AssertionResult RefusedNaming(const Result<Array>& r, const std::string& name, const std::string& index,
                                         const std::string& value) {
    if (r.ok()) return ::testing::AssertionFailure() << "read, not refused";
    const std::string& m = r.error().message;
    const std::string expected =
        name + ": float64 value " + value + " at index " + index + " exceeds the range of float32";
    if (m.rfind(expected, 0) != 0) return ::testing::AssertionFailure() << "message: " << m;
    if (m.find('\n') != std::string::npos) return ::testing::AssertionFailure() << "two lines: " << m;
    return ::testing::AssertionSuccess();
}

TEST_F(Float64Range, NpyNamesTheFirstValueBeyondFloat32) {
    const std::string path = write("big.npy", npy_f8("(2, 3)", {1, 2, 3, 4, -1e300, 1e39}));
    EXPECT_TRUE(RefusedNaming(read_array(path), path, "[1, 1]", "-1e+300"));
    EXPECT_TRUE(RefusedNaming(read_npy_array(path), path, "[1, 1]", "-1e+300"));
    // The same bytes parsed from memory (the path .npz members take).
    const std::string bytes = npy_f8("(2, 3)", {1, 2, 3, 4, -1e300, 1e39});
    EXPECT_TRUE(RefusedNaming(parse_npy_array(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "m"), "m",
                              "[1, 1]", "-1e+300"));
    Result<Tensor> tensor = read_tensor(path);
    ASSERT_FALSE(tensor.ok());
    EXPECT_NE(tensor.error().message.find("rescale or clip"), std::string::npos) << tensor.error().message;
}

TEST_F(Float64Range, FortranOrderNamesTheCOrderIndex) {
    // Fortran order (2, 3): file position 1 is element [1, 0].
    const std::string dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }\n";
    const std::string path = write("f.npy", std::string("\x93NUMPY\x01\x00", 8) + le_bytes(dict.size(), 2) + dict +
                                                f8_bytes({0, 5e38, 0, 0, 0, 0}));
    EXPECT_TRUE(RefusedNaming(read_array(path), path, "[1, 0]", "5e+38"));
}

TEST_F(Float64Range, NpzMemberIsRefusedNamingTheMember) {
    const std::string path =
        write("a.npz", stored_zip({{"ok.npy", npy_f8("(1, 2)", {1, 2})}, {"big.npy", npy_f8("(1, 2)", {1, 4e38})}}));
    ASSERT_TRUE(read_array(path + ":ok").ok()) << read_array(path + ":ok").error().message;
    EXPECT_TRUE(RefusedNaming(read_array(path + ":big"), path + ":big", "[0, 1]", "4e+38"));
}

TEST_F(Float64Range, SafetensorsTensorIsRefused) {
    const std::string path = write("t.safetensors", safetensors_f64({{"w", {0.5, -7e300, 1}}}));
    EXPECT_TRUE(RefusedNaming(read_array(path + ":w"), path + ":w", "[1]", "-7e+300"));
}

TEST_F(Float64Range, CheckpointBuffersAreRefused) {
    const std::string path =
        write("bn.safetensors", safetensors_f64({{"bn.running_mean", {0, 1}}, {"bn.running_var", {1, 1e308}}}));
    Result<BatchNormBuffers> buffers = read_batchnorm_buffers(path + ":bn");
    ASSERT_FALSE(buffers.ok());
    EXPECT_EQ(buffers.error().message.rfind(path + ":bn.running_var: float64 value 1e+308 at index [1]", 0), 0u)
        << buffers.error().message;
}

// The edge: float32's largest finite value, and doubles that round to it, are read; NaN,
// +-Inf and values that flush to zero are the data's own and read as they are.
TEST_F(Float64Range, EdgeValuesNanAndInfAreRead) {
    const double max = std::numeric_limits<float>::max();
    const double rounds_down = max + std::ldexp(1.0, 103) * 0.99;  // under half an ulp above
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<double> values = {max, -max, rounds_down, std::nan(""), inf, -inf, 1e-300, 0};
    const std::string path = write("edge.npy", npy_f8("(2, 4)", values));
    Result<Array> r = read_array(path);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& v = r.value().values;
    EXPECT_EQ(v[0], std::numeric_limits<float>::max());
    EXPECT_EQ(v[1], -std::numeric_limits<float>::max());
    EXPECT_EQ(v[2], std::numeric_limits<float>::max());
    EXPECT_TRUE(std::isnan(v[3]));
    EXPECT_EQ(v[4], std::numeric_limits<float>::infinity());
    EXPECT_EQ(v[5], -std::numeric_limits<float>::infinity());
    EXPECT_EQ(v[6], 0.0f);
    ASSERT_EQ(r.value().values64.size(), values.size());  // the exact values are kept
    EXPECT_EQ(r.value().values64[6], 1e-300);
    // Half an ulp above float32's largest value rounds to Inf: refused.
    const double rounds_up = max + std::ldexp(1.0, 103);
    const std::string over = write("over.npy", npy_f8("(1, 2)", {0, rounds_up}));
    EXPECT_TRUE(RefusedNaming(read_array(over), over, "[0, 1]", "3.4028235677973366e+38"));
}

}  // namespace
}  // namespace normviz::core
