// Tests of .npy reading and writing, on files built byte by byte (no Python needed).
#include "core/npy.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <type_traits>

#include "core/array_file.h"

namespace normviz::core {
namespace {

namespace fs = std::filesystem;

// A .npy file: magic, version, header length (2 bytes in 1.0, 4 otherwise), dict, payload.
std::vector<uint8_t> npy_bytes(int major, const std::string& dict, const std::vector<uint8_t>& payload, int minor = 0) {
    std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), uint8_t(minor)};
    const size_t length_bytes = major == 1 ? 2 : 4;
    for (size_t i = 0; i < length_bytes; ++i) out.push_back(uint8_t(dict.size() >> (8 * i)));
    out.insert(out.end(), dict.begin(), dict.end());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

// The dict numpy writes, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
std::string npy_dict(const std::string& descr, bool fortran, const std::string& shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape +
           ", }\n";
}

// Raw bytes of `values` in the requested byte order, built from the bit patterns.
template <class T>
std::vector<uint8_t> encode(const std::vector<T>& values, bool big_endian = false) {
    using Bits = std::conditional_t<
        sizeof(T) == 1, uint8_t,
        std::conditional_t<sizeof(T) == 2, uint16_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
    std::vector<uint8_t> out;
    for (T value : values) {
        const uint64_t bits = std::bit_cast<Bits>(value);
        for (size_t i = 0; i < sizeof(T); ++i) {
            const size_t byte = big_endian ? sizeof(T) - 1 - i : i;
            out.push_back(uint8_t(bits >> (8 * byte)));
        }
    }
    return out;
}

std::vector<float> iota_floats(int count, float scale = 1.0f, float offset = 0.0f) {
    std::vector<float> out;
    for (int i = 0; i < count; ++i) out.push_back(float(i) * scale + offset);
    return out;
}

// A float32 little-endian C-order file of `shape` holding 0, 1, 2, ...
std::vector<uint8_t> simple_f4(int major, const std::string& shape, int count) {
    return npy_bytes(major, npy_dict("<f4", false, shape), encode(iota_floats(count)));
}

// Checks `r` failed with a one-line message that starts with "x.npy: " and contains `part`.
::testing::AssertionResult fails_with(const Result<Tensor>& r, const std::string& part,
                                      const std::string& name = "x.npy") {
    if (r.ok()) return ::testing::AssertionFailure() << "expected an error, got a tensor";
    const std::string& m = r.error().message;
    if (m.rfind(name + ": ", 0) != 0)
        return ::testing::AssertionFailure() << "does not start with '" << name << ": ': " << m;
    if (m.find('\n') != std::string::npos || m.find('\r') != std::string::npos)
        return ::testing::AssertionFailure() << "not one line: " << m;
    if (m.find(part) == std::string::npos) return ::testing::AssertionFailure() << "'" << part << "' not in: " << m;
    return ::testing::AssertionSuccess();
}

Result<Tensor> parse(const std::vector<uint8_t>& bytes, IntegerPolicy integers = IntegerPolicy::Refuse) {
    return parse_npy(bytes, "x.npy", integers);
}

std::string tmp_path(const std::string& file) { return std::string(NORMVIZ_TEST_TMP_DIR) + "/npy_" + file; }

std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void expect_iota(const Tensor& t, const Shape& shape, int source_rank) {
    EXPECT_EQ(t.shape, shape);
    EXPECT_EQ(normviz::core::layout_rank(t.layout), source_rank);
    EXPECT_EQ(t.data, iota_floats(int(shape.numel())));
}

// ---- versions, dtypes, byte orders ----

TEST(Npy, ReadsVersion1Float32LittleEndianRank4) {
    Result<Tensor> r = parse(simple_f4(1, "(2, 3, 4, 5)", 120));
    ASSERT_TRUE(r.ok()) << r.error().message;
    expect_iota(r.value(), Shape{2, 3, 4, 5}, 4);
}

TEST(Npy, ReadsVersion2WithUint32HeaderLength) {
    Result<Tensor> r = parse(simple_f4(2, "(2, 3, 4, 5)", 120));
    ASSERT_TRUE(r.ok()) << r.error().message;
    expect_iota(r.value(), Shape{2, 3, 4, 5}, 4);
}

TEST(Npy, ReadsVersion3Utf8Header) {
    Result<Tensor> r = parse(simple_f4(3, "(1, 2, 3, 4)", 24));
    ASSERT_TRUE(r.ok()) << r.error().message;
    expect_iota(r.value(), Shape{1, 2, 3, 4}, 4);
}

TEST(Npy, ReadsFloat32BigEndian) {
    std::vector<float> values = {1.5f, -2.25f, 3e-8f, 65504.0f, -0.0f, 7.0f};
    Result<Tensor> r = parse(npy_bytes(1, npy_dict(">f4", false, "(2, 3)"), encode(values, true)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value().data, values);
}

TEST(Npy, ReadsFloat64LittleEndianRoundingToFloat32) {
    std::vector<double> values = {0.1, -1e10, 1.0 / 3.0, 2.5};
    Result<Tensor> r = parse(npy_bytes(1, npy_dict("<f8", false, "(2, 2)"), encode(values)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(r.value().data[i], float(values[i]));
}

TEST(Npy, ReadsFloat64BigEndianKeepingNanAndInf) {
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> values = {std::nan(""), -inf, 4.75, 1e-3};
    Result<Tensor> r = parse(npy_bytes(1, npy_dict(">f8", false, "(1, 4)"), encode(values, true)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    const core::FloatBuffer& d = r.value().data;
    EXPECT_TRUE(std::isnan(d[0]));
    EXPECT_EQ(d[1], -std::numeric_limits<float>::infinity());
    EXPECT_EQ(d[2], 4.75f);
    EXPECT_EQ(d[3], float(1e-3));
}

TEST(Npy, TreatsNativeByteOrderAsLittleEndian) {
    Result<Tensor> r = parse(npy_bytes(1, npy_dict("=f4", false, "(2, 3)"), encode(iota_floats(6))));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value().data, iota_floats(6));
}

TEST(Npy, IgnoresBytesAfterTheData) {
    std::vector<uint8_t> bytes = simple_f4(1, "(2, 3)", 6);
    bytes.insert(bytes.end(), {1, 2, 3});
    Result<Tensor> r = parse(bytes);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value().data, iota_floats(6));
}

// ---- ranks and Fortran order ----

TEST(Npy, MapsRank2ToNC11AndRecordsSourceRank) {
    Result<Tensor> r = parse(simple_f4(1, "(3, 4)", 12));
    ASSERT_TRUE(r.ok()) << r.error().message;
    expect_iota(r.value(), Shape{3, 4, 1, 1}, 2);
}

TEST(Npy, MapsRank3ToNC1LAndRecordsSourceRank) {
    Result<Tensor> r = parse(simple_f4(1, "(2, 3, 5)", 30));
    ASSERT_TRUE(r.ok()) << r.error().message;
    expect_iota(r.value(), Shape{2, 3, 1, 5}, 3);
    EXPECT_EQ(r.value().at(Index{1, 2, 0, 4}), 29.0f);
}

TEST(Npy, FortranOrderRank2IsTransposedToCOrder) {
    // x = [[0, 1, 2], [10, 11, 12]] stored column by column.
    std::vector<float> column_major = {0, 10, 1, 11, 2, 12};
    Result<Tensor> r = parse(npy_bytes(1, npy_dict("<f4", true, "(2, 3)"), encode(column_major)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value().shape, (Shape{2, 3, 1, 1}));
    EXPECT_EQ(r.value().data, (std::vector<float>{0, 1, 2, 10, 11, 12}));
}

TEST(Npy, FortranOrderRank3PlacesEveryElement) {
    // x[i, j, k] = 100 i + 10 j + k, written with the first axis fastest.
    std::vector<float> column_major;
    for (int k = 0; k < 4; ++k)
        for (int j = 0; j < 3; ++j)
            for (int i = 0; i < 2; ++i) column_major.push_back(float(100 * i + 10 * j + k));
    Result<Tensor> r = parse(npy_bytes(2, npy_dict("<f4", true, "(2, 3, 4)"), encode(column_major)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    const Tensor& t = r.value();
    EXPECT_EQ(t.shape, (Shape{2, 3, 1, 4}));
    EXPECT_EQ(normviz::core::layout_rank(t.layout), 3);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 4; ++k) EXPECT_EQ(t.at(Index{i, j, 0, k}), 100 * i + 10 * j + k);
}

TEST(Npy, FortranOrderRank4BigEndianFloat64PlacesEveryElement) {
    std::vector<double> column_major;
    for (int l = 0; l < 3; ++l)
        for (int k = 0; k < 2; ++k)
            for (int j = 0; j < 3; ++j)
                for (int i = 0; i < 2; ++i) column_major.push_back(1000 * i + 100 * j + 10 * k + l);
    Result<Tensor> r = parse(npy_bytes(1, npy_dict(">f8", true, "(2, 3, 2, 3)"), encode(column_major, true)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    const Tensor& t = r.value();
    EXPECT_EQ(t.shape, (Shape{2, 3, 2, 3}));
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 2; ++k)
                for (int l = 0; l < 3; ++l) EXPECT_EQ(t.at(Index{i, j, k, l}), 1000 * i + 100 * j + 10 * k + l);
}

// ---- header dict syntax ----

TEST(Npy, AcceptsAnyKeyOrderWhitespaceQuotesAndCommas) {
    const std::vector<std::string> dicts = {
        "{ 'shape' : ( 2 , 3 ) , 'fortran_order':False,'descr':'<f4' }",
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "\t{\n'fortran_order': False,\n\t'descr': '<f4',\r\n'shape': (2,3),\n}      \n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",
    };
    for (const std::string& dict : dicts) {
        Result<Tensor> r = parse(npy_bytes(1, dict, encode(iota_floats(6))));
        ASSERT_TRUE(r.ok()) << dict << " -> " << r.error().message;
        expect_iota(r.value(), Shape{2, 3, 1, 1}, 2);
    }
}

TEST(Npy, RejectsMalformedHeaderDicts) {
    const std::vector<std::string> dicts = {
        "",
        "   \n",
        "'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'shape': (2, 3)}",
        "{'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': maybe, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 3)}",
        "{'descr': <f4, 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': ['<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3),, }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} junk",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}}",
        "{'descr': '<f4',\n'fortran_order': False,\n'shape': (2, 3)\n\x01",
        "{descr: '<f4', fortran_order: False, shape: (2, 3)}",
    };
    for (const std::string& dict : dicts) {
        EXPECT_TRUE(fails_with(parse(npy_bytes(1, dict, encode(iota_floats(6)))), "malformed .npy header")) << dict;
    }
}

// ---- integers ----

TEST(Npy, RefusesIntegersByDefaultAndSaysHowToConvert) {
    Result<Tensor> r = parse(npy_bytes(1, npy_dict("<i8", false, "(2, 3)"), encode(std::vector<int64_t>(6, 1))));
    EXPECT_TRUE(fails_with(r, "'<i8' (int64)"));
    EXPECT_TRUE(fails_with(r, "x.astype(np.float32)"));
    EXPECT_TRUE(fails_with(r, "--convert-int"));
}

template <class T>
void expect_integer_conversion(const std::string& code, const std::vector<T>& values) {
    for (bool big : {false, true}) {
        const std::string descr = (sizeof(T) == 1 ? "|" : big ? ">" : "<") + code;
        const std::vector<uint8_t> bytes = npy_bytes(1, npy_dict(descr, false, "(2, 2)"), encode(values, big));
        EXPECT_TRUE(fails_with(parse(bytes), "integer dtype")) << descr;
        Result<Tensor> r = parse(bytes, IntegerPolicy::Convert);
        ASSERT_TRUE(r.ok()) << descr << ": " << r.error().message;
        for (size_t i = 0; i < values.size(); ++i)
            EXPECT_EQ(r.value().data[i], static_cast<float>(values[i])) << descr << " item " << i;
    }
}

TEST(Npy, ConvertsEveryIntegerDtypeWhenAsked) {
    expect_integer_conversion<int8_t>("i1", {-128, -1, 0, 127});
    expect_integer_conversion<int16_t>("i2", {-32768, -2, 300, 32767});
    expect_integer_conversion<int32_t>("i4", {std::numeric_limits<int32_t>::min(), -3, 16777216, 2147483647});
    expect_integer_conversion<int64_t>("i8", {-(int64_t{1} << 40), -4, 5, std::numeric_limits<int64_t>::max()});
    expect_integer_conversion<uint8_t>("u1", {0, 1, 128, 255});
    expect_integer_conversion<uint16_t>("u2", {0, 2, 40000, 65535});
    expect_integer_conversion<uint32_t>("u4", {0, 3, 3000000000u, 4294967295u});
    expect_integer_conversion<uint64_t>("u8", {0, 4, uint64_t{1} << 63, ~uint64_t{0}});
}

TEST(Npy, RefusesBoolEvenWhenConvertingIntegers) {
    std::vector<uint8_t> bytes = npy_bytes(1, npy_dict("|b1", false, "(2, 2)"), {0, 1, 1, 0});
    EXPECT_TRUE(fails_with(parse(bytes, IntegerPolicy::Convert), "'|b1' (bool)"));
}

// ---- unsupported dtypes ----

TEST(Npy, RejectsComplexNamingTheDtype) {
    EXPECT_TRUE(fails_with(parse(npy_bytes(1, npy_dict("<c8", false, "(2, 2)"), std::vector<uint8_t>(32))),
                           "unsupported dtype '<c8' (complex64); normviz reads float16, float32"));
    EXPECT_TRUE(fails_with(
        parse(npy_bytes(1, npy_dict("<c16", false, "(2, 2)"), std::vector<uint8_t>(64)), IntegerPolicy::Convert),
        "'<c16' (complex128)"));
}

TEST(Npy, RejectsObjectArrays) {
    EXPECT_TRUE(fails_with(parse(npy_bytes(1, npy_dict("|O", false, "(2, 2)"), std::vector<uint8_t>(32))),
                           "'|O' (Python objects)"));
}

TEST(Npy, RejectsUnicodeStrings) {
    EXPECT_TRUE(fails_with(parse(npy_bytes(1, npy_dict("<U3", false, "(2, 2)"), std::vector<uint8_t>(48))),
                           "'<U3' (unicode string)"));
}

TEST(Npy, RejectsByteStrings) {
    EXPECT_TRUE(fails_with(parse(npy_bytes(1, npy_dict("|S5", false, "(2, 2)"), std::vector<uint8_t>(20))),
                           "'|S5' (byte string)"));
}

// float16 is read exactly: normals, subnormals, signed zero, the largest value, Inf and NaN
// (bit patterns from IEEE 754 binary16, values as numpy's astype(np.float32) gives them).
TEST(Npy, ReadsFloat16Exactly) {
    const uint16_t bits[] = {0x3c00, 0xc000, 0x0001, 0x03ff, 0x8000, 0x7bff, 0x7c00, 0x7e00};
    const float expected[] = {1.0f,     -2.0f, 5.960464477539063e-08f, 6.097555160522461e-05f, -0.0f, 65504.0f,
                              INFINITY, NAN};
    std::vector<uint8_t> data;
    for (uint16_t b : bits) data.insert(data.end(), {uint8_t(b & 0xff), uint8_t(b >> 8)});
    Result<Tensor> t = parse(npy_bytes(1, npy_dict("<f2", false, "(2, 4)"), data));
    ASSERT_TRUE(t.ok()) << t.error().message;
    for (int i = 0; i < 7; ++i) EXPECT_EQ(t.value().data[i], expected[i]) << i;
    EXPECT_TRUE(std::signbit(t.value().data[4]));
    EXPECT_TRUE(std::isnan(t.value().data[7]));
}

// The file reader converts float16 in pieces through a table: every bit pattern, twice over
// (so pieces end mid-array), equals the in-memory parser's value.
TEST(Npy, Float16FileEqualsParsedBytes) {
    std::vector<uint8_t> data;
    for (int rep = 0; rep < 2; ++rep)
        for (uint32_t b = 0; b < 0x10000; ++b) data.insert(data.end(), {uint8_t(b & 0xff), uint8_t(b >> 8)});
    const std::vector<uint8_t> bytes = npy_bytes(1, npy_dict("<f2", false, "(2, 65536)"), data);
    const std::string path = tmp_path("halves.npy");
    {
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    Result<Tensor> from_file = read_npy(path);
    Result<Tensor> parsed = parse(bytes);
    ASSERT_TRUE(from_file.ok() && parsed.ok());
    ASSERT_EQ(from_file.value().data.size(), parsed.value().data.size());
    for (size_t i = 0; i < parsed.value().data.size(); ++i) {
        const float a = from_file.value().data[i], b = parsed.value().data[i];
        ASSERT_TRUE(std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b)) << i;
    }
}

// The float16 writer rounds to nearest even, as numpy's astype(np.float16): every half value
// survives a round trip, and values between two halves go to the even one.
TEST(Npy, Float16RoundsToNearestEven) {
    for (uint32_t b = 0; b < 0x10000; ++b) {
        const float f = half_to_float(static_cast<uint16_t>(b));
        if (std::isnan(f)) continue;
        ASSERT_EQ(float_to_half(f), b) << b;
    }
    EXPECT_EQ(float_to_half(1.0f + 0x1p-11f), 0x3c00);      // tie -> even (1.0)
    EXPECT_EQ(float_to_half(1.0f + 3 * 0x1p-11f), 0x3c02);  // tie -> even (1 + 2^-9)
    EXPECT_EQ(float_to_half(65520.0f), 0x7c00);             // rounds past 65504: Inf
    EXPECT_EQ(float_to_half(65519.0f), 0x7bff);
    EXPECT_EQ(float_to_half(0x1p-25f), 0x0000);  // tie -> even (0)
    EXPECT_EQ(float_to_half(0x1.8p-25f), 0x0001);
}

TEST(Npy, RejectsStructuredDtypes) {
    const std::string dict = "{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': False, 'shape': (2, 2), }";
    EXPECT_TRUE(fails_with(parse(npy_bytes(1, dict, std::vector<uint8_t>(32))),
                           "structured dtype [('x', '<f4'), ('y', '<i4')]"));
}

TEST(Npy, RejectsGarbageDtypeStrings) {
    for (const char* descr : {"", "<", "<f", "<fx", "float32", "<f4f4"}) {
        EXPECT_TRUE(fails_with(parse(npy_bytes(1, npy_dict(descr, false, "(2, 3)"), encode(iota_floats(6)))),
                               "unsupported dtype"))
            << descr;
    }
}

TEST(Npy, RejectsNoByteOrderForMultiByteItems) {
    EXPECT_TRUE(fails_with(parse(npy_bytes(1, npy_dict("|f4", false, "(2, 3)"), encode(iota_floats(6)))),
                           "'|f4' has no byte order"));
}

// ---- structure and bounds ----

TEST(Npy, RejectsBadMagic) {
    std::vector<uint8_t> bytes = simple_f4(1, "(2, 3)", 6);
    bytes[1] = 'n';
    EXPECT_TRUE(fails_with(parse(bytes), "not a .npy file"));
    EXPECT_TRUE(fails_with(parse({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0}), ".npz archive"));
}

TEST(Npy, RejectsEmptyAndTruncatedPreamble) {
    EXPECT_TRUE(fails_with(parse({}), "too short"));
    EXPECT_TRUE(fails_with(parse({0x93, 'N', 'U', 'M'}), "too short"));
    EXPECT_TRUE(fails_with(parse({0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 10}), "too short"));
    EXPECT_TRUE(fails_with(parse({0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 10, 0, 0}), "too short"));
}

TEST(Npy, RejectsUnsupportedFormatVersion) {
    EXPECT_TRUE(
        fails_with(parse(npy_bytes(4, npy_dict("<f4", false, "(2, 3)"), encode(iota_floats(6)))), "version 4.0"));
    EXPECT_TRUE(
        fails_with(parse(npy_bytes(1, npy_dict("<f4", false, "(2, 3)"), encode(iota_floats(6)), 1)), "version 1.1"));
}

TEST(Npy, RejectsHeaderLengthBeyondTheFile) {
    std::vector<uint8_t> bytes = simple_f4(1, "(2, 3)", 6);
    bytes[8] = 0x88;  // header length 5000
    bytes[9] = 0x13;
    EXPECT_TRUE(fails_with(parse(bytes), "header length 5000 bytes runs past the end"));
    std::vector<uint8_t> v2 = simple_f4(2, "(2, 3)", 6);
    v2[11] = 0xff;  // header length > 4 GB
    EXPECT_TRUE(fails_with(parse(v2), "runs past the end of the file"));
}

TEST(Npy, RejectsTruncatedDataWithByteCounts) {
    std::vector<uint8_t> bytes = npy_bytes(1, npy_dict("<f4", false, "(2, 3, 4)"), std::vector<uint8_t>(50));
    EXPECT_TRUE(fails_with(parse(bytes), "file is truncated: header promises 96 bytes of data, file holds 50"));
    std::vector<uint8_t> f8 = npy_bytes(1, npy_dict(">f8", true, "(2, 3)"), std::vector<uint8_t>(47));
    EXPECT_TRUE(fails_with(parse(f8), "header promises 48 bytes of data, file holds 47"));
}

TEST(Npy, RejectsElementCountThatOverflows) {
    EXPECT_TRUE(fails_with(parse(npy_bytes(1, npy_dict("<f4", false, "(1099511627776, 1099511627776, 2)"), {})),
                           "(1099511627776, 1099511627776, 2) has more than 17179869184"));
}

TEST(Npy, RejectsElementCountAboveTheLimit) {
    EXPECT_TRUE(fails_with(parse(npy_bytes(1, npy_dict("<f8", false, "(1048576, 1048576, 1048576)"), {})),
                           "has more than 17179869184"));
    EXPECT_TRUE(
        fails_with(parse(npy_bytes(1, npy_dict("<f4", false, "(131072, 131073)"), {})), "has more than 17179869184"));
}

TEST(Npy, RejectsRank1) {
    EXPECT_TRUE(fails_with(parse(simple_f4(1, "(6,)", 6)), "x.npy: rank 1 array (6,); normviz reads rank 2 (N, C)"));
}

TEST(Npy, RejectsRank0) { EXPECT_TRUE(fails_with(parse(simple_f4(1, "()", 1)), "rank 0 array ()")); }

TEST(Npy, RejectsRank5) {
    EXPECT_TRUE(fails_with(parse(simple_f4(1, "(2, 3, 4, 5, 6)", 720)),
                           "x.npy: rank 5 array (2, 3, 4, 5, 6); normviz reads rank 2 (N, C), "
                           "3 (N, C, L) or (N, L, C), or 4 (N, C, H, W) or (N, H, W, C)"));
}

TEST(Npy, RejectsZeroSizeDimension) {
    EXPECT_TRUE(fails_with(parse(simple_f4(1, "(2, 0, 3)", 0)), "shape (2, 0, 3) has a zero-size dimension"));
}

TEST(Npy, RejectsNegativeDimension) {
    EXPECT_TRUE(fails_with(parse(simple_f4(1, "(2, -3)", 6)), "shape (2, -3) has a negative dimension"));
}

// ---- files ----

TEST(Npy, ReadNpyNamesMissingFileAndReason) {
    const std::string path = tmp_path("does_not_exist.npy");
    EXPECT_TRUE(fails_with(read_npy(path), std::strerror(ENOENT), path));
}

TEST(Npy, ReadNpyRejectsAFolder) {
    const std::string path = std::string(NORMVIZ_TEST_TMP_DIR);
    EXPECT_TRUE(fails_with(read_npy(path), "folder", path));
}

Tensor sample_tensor(const Shape& shape, int source_rank) {
    Tensor t;
    t.shape = shape;
    t.layout = normviz::core::default_layout(source_rank);
    t.data = iota_floats(int(shape.numel()), 0.25f, -3.0f);
    return t;
}

void expect_round_trip(const Tensor& t, const std::string& file, const std::string& shape_text) {
    const std::string path = tmp_path(file);
    Status s = write_npy(path, t);
    ASSERT_TRUE(s.ok()) << s.error().message;
    const std::vector<uint8_t> bytes = read_bytes(path);
    const std::string text(bytes.begin(), bytes.end());
    EXPECT_NE(text.find("'descr': '<f4'"), std::string::npos);
    EXPECT_NE(text.find("'shape': " + shape_text), std::string::npos) << text.substr(0, 128);
    Result<Tensor> r = read_npy(path);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value().shape, t.shape);
    EXPECT_EQ(normviz::core::layout_rank(r.value().layout), normviz::core::layout_rank(t.layout));
    EXPECT_EQ(r.value().data, t.data);
}

TEST(Npy, WriteThenReadRestoresRank4) {
    expect_round_trip(sample_tensor(Shape{2, 3, 4, 5}, 4), "round_trip4.npy", "(2, 3, 4, 5)");
}

TEST(Npy, WriteThenReadRestoresRank3) {
    expect_round_trip(sample_tensor(Shape{2, 3, 1, 5}, 3), "round_trip3.npy", "(2, 3, 5)");
}

TEST(Npy, WriteThenReadRestoresRank2) {
    expect_round_trip(sample_tensor(Shape{3, 4, 1, 1}, 2), "round_trip2.npy", "(3, 4)");
}

TEST(Npy, WrittenHeaderIsVersion1AndPaddedTo64Bytes) {
    for (const Shape& shape : {Shape{1, 1, 1, 1}, Shape{8, 16, 14, 14}, Shape{7, 3, 1, 1}}) {
        const std::string path = tmp_path("aligned.npy");
        Tensor t;
        t.shape = shape;
        t.layout = normviz::core::default_layout(shape.H == 1 && shape.W == 1 ? 2 : 4);
        t.data.assign(size_t(shape.numel()), 1.0f);
        ASSERT_TRUE(write_npy(path, t).ok());
        const std::vector<uint8_t> bytes = read_bytes(path);
        ASSERT_GE(bytes.size(), 10u);
        EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 6), "\x93NUMPY");
        EXPECT_EQ(bytes[6], 1);
        EXPECT_EQ(bytes[7], 0);
        const size_t header_end = 10 + (bytes[8] | (size_t(bytes[9]) << 8));
        EXPECT_EQ(header_end % 64, 0u);
        EXPECT_EQ(bytes[header_end - 1], '\n');
        EXPECT_EQ(bytes.size(), header_end + 4 * size_t(shape.numel()));
    }
}

TEST(Npy, WriteU8WritesExactBytes) {
    const std::string path = tmp_path("mask.npy");
    const std::vector<uint8_t> values = {0, 1, 2, 253, 254, 255};
    Status s = write_npy_u8(path, {2, 3}, values);
    ASSERT_TRUE(s.ok()) << s.error().message;
    const std::vector<uint8_t> bytes = read_bytes(path);
    ASSERT_GE(bytes.size(), 10u);
    const size_t header_end = 10 + (bytes[8] | (size_t(bytes[9]) << 8));
    EXPECT_EQ(header_end, 128u);
    ASSERT_EQ(bytes.size(), header_end + values.size());
    const std::string header(bytes.begin() + 10, bytes.begin() + header_end);
    EXPECT_EQ(header.rfind("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", 0), 0u) << header;
    EXPECT_EQ(header.back(), '\n');
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + header_end, bytes.end()), values);
    Result<Tensor> r = read_npy(path, IntegerPolicy::Convert);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value().data, (std::vector<float>{0, 1, 2, 253, 254, 255}));
}

TEST(Npy, WriteIntoMissingFolderFailsAndLeavesNoFile) {
    const std::string folder = tmp_path("no_such_folder");
    const std::string path = folder + "/x.npy";
    fs::remove_all(folder);
    Status s = write_npy(path, sample_tensor(Shape{2, 2, 1, 1}, 2));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message.rfind(path + ": ", 0), 0u) << s.error().message;
    EXPECT_EQ(s.error().message.find('\n'), std::string::npos);
    EXPECT_NE(s.error().message.find(std::strerror(ENOENT)), std::string::npos);
    EXPECT_FALSE(fs::exists(folder));
    EXPECT_FALSE(write_npy_u8(path, {2}, {1, 2}).ok());
    EXPECT_FALSE(fs::exists(folder));
}

TEST(Npy, WriteReplacesExistingFileAndLeavesNoTemporaryFile) {
    const std::string path = tmp_path("replace.npy");
    ASSERT_TRUE(write_npy(path, sample_tensor(Shape{4, 4, 2, 2}, 4)).ok());
    ASSERT_TRUE(write_npy(path, sample_tensor(Shape{2, 3, 1, 1}, 2)).ok());
    Result<Tensor> r = read_npy(path);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value().shape, (Shape{2, 3, 1, 1}));
    for (const fs::directory_entry& e : fs::directory_iterator(NORMVIZ_TEST_TMP_DIR)) {
        EXPECT_EQ(e.path().filename().string().find("npy_replace.npy.tmp"), std::string::npos) << e.path();
    }
}

// float16 output: values up to 65504 (and those that round to it) are written; a finite
// value past it would have become Inf in the file without a word, so the write is refused
// naming the value's index, and no file is left. NaN and Inf are the data's own.
TEST(Npy, Float16WriteRefusesFiniteValuesBeyondItsRange) {
    const std::string path = tmp_path("half_range.npy");
    fs::remove(path);
    Tensor t = make_tensor(Shape{2, 3, 1, 1});
    t.layout = default_layout(2);
    t.data = {65504.0f, -65519.0f, std::nanf(""), -std::numeric_limits<float>::infinity(), 1.0f, 0.0f};
    Status fits = write_npy(path, t, NpyDtype::Float16);
    ASSERT_TRUE(fits.ok()) << fits.error().message;
    Result<Tensor> back = read_npy(path);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back.value().data[0], 65504.0f);
    EXPECT_EQ(back.value().data[1], -65504.0f);
    EXPECT_TRUE(std::isnan(back.value().data[2]));
    EXPECT_EQ(back.value().data[3], -std::numeric_limits<float>::infinity());
    fs::remove(path);
    t.data[4] = 65520.0f;  // rounds to Inf in float16
    Status over = write_npy(path, t, NpyDtype::Float16);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().message, path +
                                        ": value 65520 at index [1, 1] exceeds the range of float16 (at most "
                                        "65504 in magnitude); write float32 or float64 instead");
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(write_npy(path, t, NpyDtype::Float32).ok());
}

}  // namespace
}  // namespace normviz::core

// AddressSanitizer maps terabytes of shadow memory at start, so it cannot run under a limit.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

namespace normviz::core {
namespace {

// A .npy of 2^31 float32 values (8 GiB) whose payload is a hole: no disk used.
std::string write_sparse_8gib(const std::string& name) {
    const std::string path = tmp_path(name);
    const std::vector<uint8_t> head = npy_bytes(1, npy_dict("<f4", false, "(2, 1024, 1024, 1024)"), {});
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(head.data()), static_cast<std::streamsize>(head.size()));
    }
    fs::resize_file(path, head.size() + (uint64_t{1} << 33));
    return path;
}

TEST(NpyDescription, DimsAndDtypeFromTheHeaderAlone) {
    const Result<Array> described = read_npy_description(write_sparse_8gib("described.npy"));
    ASSERT_TRUE(described) << described.error().message;
    EXPECT_EQ(described.value().dims, (std::vector<int64_t>{2, 1024, 1024, 1024}));
    EXPECT_EQ(described.value().dtype, "float32");
    EXPECT_TRUE(described.value().values.empty());
}

// An .npz member whose deflated stream ends early inflates to a head shorter than the
// member says (found by fuzz_array_file): every cut, even one before the header's length,
// is a cut header, and nothing past the head is read (each head is its own heap block).
TEST(NpyDescription, AHeadCutAnywhereIsACutHeader) {
    const std::vector<uint8_t> whole = npy_bytes(1, npy_dict("<f4", false, "(2, 3)"), encode(iota_floats(6)));
    const size_t header_end = 10 + (whole[8] | (whole[9] << 8));
    for (size_t cut = 0; cut < header_end; ++cut) {
        SCOPED_TRACE("head of " + std::to_string(cut) + " bytes");
        const std::vector<uint8_t> head(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
        const Result<Array> described = parse_npy_description(head.data(), head.size(), whole.size(), "m.npy");
        ASSERT_FALSE(described);
        EXPECT_NE(described.error().message.find("cut short"), std::string::npos) << described.error().message;
    }
    const std::vector<uint8_t> head(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(header_end));
    EXPECT_TRUE(parse_npy_description(head.data(), head.size(), whole.size(), "m.npy"));
}

// Listing what a file holds (the Load field does it before every large load) must not read
// its data: in a child limited to 1 GiB of address space, the 8 GiB file is listed.
TEST(NpyDescription, ListingAFileLargerThanMemoryReadsNoData) {
    if (kAddressSanitizer) GTEST_SKIP() << "ASan cannot start under an address-space limit";
    const std::string path = write_sparse_8gib("listed.npy");
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const rlimit limit{rlim_t{1} << 30, rlim_t{1} << 30};
        setrlimit(RLIMIT_AS, &limit);
        int code = 3;
        try {
            const Result<std::vector<ArrayEntry>> listed = list_arrays(path);
            code = listed && listed.value().size() == 1 &&
                           listed.value()[0].dims == std::vector<int64_t>{2, 1024, 1024, 1024}
                       ? 0
                       : 2;
        } catch (const std::bad_alloc&) {
            code = 1;
        }
        _exit(code);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the listing allocated the data; 2: wrong or no entry";
}

// NORMVIZ_MAP_NPY_ABOVE for one scope: every float32 .npy over `bytes` is mapped.
struct MapAbove {
    explicit MapAbove(const char* bytes) { setenv("NORMVIZ_MAP_NPY_ABOVE", bytes, 1); }
    ~MapAbove() { unsetenv("NORMVIZ_MAP_NPY_ABOVE"); }
};

TEST(NpyMapped, ALargeFloat32FileIsMappedWithTheSameValues) {
    Tensor t = make_tensor({2, 3, 4, 5});
    for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>(i) * 0.25f - 7.0f;
    const std::string path = tmp_path("mapped.npy");
    ASSERT_TRUE(write_npy(path, t));
    Result<Tensor> read = read_tensor(path);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_FALSE(read.value().data.is_mapped()) << "480 bytes are far below half of any machine's memory";
    MapAbove above("0");
    for (bool through_read_tensor : {true, false}) {
        // (Not a list of Results: copying a Tensor copies its values into memory it owns.)
        Result<Tensor> mapped = through_read_tensor ? read_tensor(path) : read_npy(path);
        ASSERT_TRUE(mapped.ok()) << mapped.error().message;
        EXPECT_TRUE(mapped.value().data.is_mapped());
        EXPECT_EQ(mapped.value().shape, t.shape);
        EXPECT_TRUE(mapped.value().data == t.data);
        EXPECT_NE(describe_reading(mapped.value()).find("memory-mapped"), std::string::npos);
    }
    // Edits stay in the program: the file keeps its bytes. A copy owns its values.
    Tensor edited = std::move(read_tensor(path).value());
    edited.data[0] = 99.0f;
    const Tensor copy = edited;
    EXPECT_FALSE(copy.data.is_mapped());
    EXPECT_EQ(copy.data[0], 99.0f);
    EXPECT_EQ(read_tensor(path).value().data[0], -7.0f);
}

TEST(NpyMapped, FilesWhoseBytesAreNotTheValuesAreRead) {
    MapAbove above("0");
    Tensor t = make_tensor({2, 3, 4, 5});
    for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>(i);
    const std::string path = tmp_path("not_mapped.npy");
    ASSERT_TRUE(write_npy(path, t));
    // Channels last: the values move into NCHW order, so they are read and moved.
    Result<Tensor> nhwc = read_tensor(path, Layout::NHWC);
    ASSERT_TRUE(nhwc.ok()) << nhwc.error().message;
    EXPECT_FALSE(nhwc.value().data.is_mapped());
    ASSERT_TRUE(write_npy(path, t, NpyDtype::Float64));
    Result<Tensor> wide = read_tensor(path);
    ASSERT_TRUE(wide.ok()) << wide.error().message;
    EXPECT_FALSE(wide.value().data.is_mapped());
    EXPECT_TRUE(wide.value().data == t.data);
}

}  // namespace
}  // namespace normviz::core
