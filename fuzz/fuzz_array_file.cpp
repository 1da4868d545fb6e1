// libFuzzer target for the array-file readers (.npz through zlib, .safetensors, torch.save
// detection): the input becomes an in-memory file, opened whole, by member names, and listed.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/array_file.h"
#include "core/assert.h"
#include "core/checkpoint.h"

namespace {

using namespace normviz::core;

void check_message(const Error& error) {
    NORMVIZ_ASSERT(!error.message.empty(), "an error has a message");
    for (char ch : error.message)
        NORMVIZ_ASSERT(static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f, "error messages are one printable line");
}

void check_array(const Result<Array>& array) {
    if (!array) return check_message(array.error());
    int64_t count = 1;
    for (int64_t d : array.value().dims) count *= d;
    NORMVIZ_ASSERT(static_cast<int64_t>(array.value().values.size()) == count, "one value per element");
    NORMVIZ_ASSERT(array.value().values64.empty() || array.value().values64.size() == array.value().values.size(),
                   "float64 values match");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const int fd = memfd_create("fuzz", 0);
    if (fd < 0) return 0;
    if (write(fd, data, size) != static_cast<ssize_t>(size)) {
        close(fd);
        return 0;
    }
    // The readers sniff the bytes, not the name; the names only pick members.
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    check_array(read_array(path, IntegerPolicy::Convert));
    Result<std::vector<ArrayEntry>> entries = list_arrays(path);
    if (entries) {
        for (const ArrayEntry& e : entries.value()) {
            if (e.name.empty()) continue;
            check_array(read_array(ArraySource{path, e.name}, IntegerPolicy::Refuse));
        }
        if (Result<BatchNormBuffers> b = read_batchnorm_buffers(ArraySource{path, "bn"}); !b) check_message(b.error());
    } else {
        check_message(entries.error());
    }
    close(fd);
    return 0;
}
