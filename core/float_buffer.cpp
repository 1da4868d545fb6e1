// Owned or mapped float32 values (core/float_buffer.h).
#include "core/float_buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <utility>

namespace normviz::core {

FileMapping::~FileMapping() {
    if (address != nullptr) munmap(address, bytes);
}

FloatBuffer& FloatBuffer::operator=(const FloatBuffer& other) {
    if (this != &other) *this = FloatBuffer(FloatValues(other.begin(), other.end()));
    return *this;
}

FloatBuffer& FloatBuffer::operator=(FloatBuffer&& other) noexcept {
    owned_ = std::move(other.owned_);
    mapping_ = std::move(other.mapping_);
    mapped_ = std::exchange(other.mapped_, nullptr);
    mapped_count_ = std::exchange(other.mapped_count_, 0);
    other.owned_.clear();
    return *this;
}

void FloatBuffer::resize(size_t count, float value) {
    if (mapped_) {
        FloatValues values(count, value);
        std::copy_n(mapped_, std::min(count, mapped_count_), values.begin());
        *this = FloatBuffer(std::move(values));
        return;
    }
    owned_.resize(count, value);
}

float* FloatBuffer::erase(float* first, float* last) {
    const size_t from = static_cast<size_t>(first - data()), to = static_cast<size_t>(last - data());
    if (mapped_) *this = FloatBuffer(FloatValues(begin(), end()));
    owned_.erase(owned_.begin() + static_cast<std::ptrdiff_t>(from), owned_.begin() + static_cast<std::ptrdiff_t>(to));
    return owned_.data() + from;
}

void FloatBuffer::assign(size_t count, float value) { *this = FloatBuffer(count, value); }

bool operator==(const FloatBuffer& a, const FloatBuffer& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

bool operator==(const FloatBuffer& a, const std::vector<float>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace normviz::core
