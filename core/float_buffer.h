// A tensor's float32 values: owned memory (FloatValues, starting on a cache line), or a
// private memory mapping of the file they were read from, so a .npy larger than half the
// machine's memory is not copied into it (core/array_file.h, map_threshold_bytes). Reads look
// the same either way; a write to mapped values changes only this process's copy of that
// page, never the file.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <new>
#include <vector>

namespace normviz::core {

// Owned values start on a 64-byte cache line: streaming stores then write whole lines (an
// output 16 bytes off a line boundary took 1.5x as long to write), and a tensor's offsets
// alone decide where vector loops start.
template <class T>
struct CacheLineAllocator {
    using value_type = T;
    CacheLineAllocator() = default;
    template <class U>
    CacheLineAllocator(const CacheLineAllocator<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64})); }
    void deallocate(T* p, size_t) { ::operator delete (p, std::align_val_t{64}); }
    friend bool operator==(const CacheLineAllocator&, const CacheLineAllocator&) { return true; }
};
using FloatValues = std::vector<float, CacheLineAllocator<float>>;  // what FloatBuffer owns

// A read-only file mapping, unmapped when the last FloatBuffer sharing it goes.
struct FileMapping {
    void* address = nullptr;
    size_t bytes = 0;
    FileMapping(void* a, size_t b) : address(a), bytes(b) {}
    FileMapping(const FileMapping&) = delete;
    FileMapping& operator=(const FileMapping&) = delete;
    ~FileMapping();
};

class FloatBuffer {
public:
    using value_type = float;
    using size_type = size_t;
    using iterator = float*;
    using const_iterator = const float*;
    using reference = float&;
    using const_reference = const float&;

    FloatBuffer() = default;
    FloatBuffer(FloatValues&& values) : owned_(std::move(values)) {}  // NOLINT: no copy, as a vector move
    FloatBuffer(const std::vector<float>& values) : owned_(values.begin(), values.end()) {}  // NOLINT: a copy
    FloatBuffer(std::initializer_list<float> values) : owned_(values) {}
    FloatBuffer(size_t count, float value) : owned_(count, value) {}
    // `count` floats at `first`, inside `mapping`, which the buffer keeps alive.
    FloatBuffer(std::shared_ptr<FileMapping> mapping, float* first, size_t count)
        : mapping_(std::move(mapping)), mapped_(first), mapped_count_(count) {}
    // A copy owns its values, whatever the original held.
    FloatBuffer(const FloatBuffer& other) : owned_(other.begin(), other.end()) {}
    FloatBuffer& operator=(const FloatBuffer& other);
    FloatBuffer(FloatBuffer&& other) noexcept { *this = std::move(other); }
    FloatBuffer& operator=(FloatBuffer&& other) noexcept;

    float* data() { return mapped_ ? mapped_ : owned_.data(); }
    const float* data() const { return mapped_ ? mapped_ : owned_.data(); }
    size_t size() const { return mapped_ ? mapped_count_ : owned_.size(); }
    bool empty() const { return size() == 0; }
    float& operator[](size_t i) { return data()[i]; }
    const float& operator[](size_t i) const { return data()[i]; }
    float* begin() { return data(); }
    float* end() { return data() + size(); }
    const float* begin() const { return data(); }
    const float* end() const { return data() + size(); }

    // These own the values afterwards (a mapping is dropped).
    void resize(size_t count, float value = 0.0f);
    void assign(size_t count, float value);
    template <class It>
    void assign(It first, It last) {
        *this = FloatBuffer(FloatValues(first, last));
    }
    void clear() { *this = FloatBuffer(); }
    float* erase(float* first, float* last);

    // True while the values are the file's pages (bench --load and "read ..." lines say so).
    bool is_mapped() const { return mapped_ != nullptr; }

    friend bool operator==(const FloatBuffer& a, const FloatBuffer& b);
    friend bool operator==(const FloatBuffer& a, const std::vector<float>& b);

private:
    FloatValues owned_;
    std::shared_ptr<FileMapping> mapping_;
    float* mapped_ = nullptr;
    size_t mapped_count_ = 0;
};

}  // namespace normviz::core
