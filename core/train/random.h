// A small seeded generator (core/splitmix.h) for the training lab: the same numbers on every
// platform and standard library, unlike std::uniform_real_distribution.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/splitmix.h"

namespace normviz::core::train {

class Random {
public:
    explicit Random(uint64_t seed) : state_(seed) {}
    uint64_t next() { return splitmix64(state_); }
    // Uniform in [0, 1), 53 bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // Uniform integer in [0, n).
    uint64_t below(uint64_t n) { return next() % n; }
    // Standard normal (Box-Muller, one of the pair).
    double normal() {
        const double u = 1.0 - uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * uniform());
    }

private:
    uint64_t state_;
};

// A seed for item `index` of stream `seed`, so items can be made in any order.
inline uint64_t mix_seed(uint64_t seed, uint64_t index) {
    Random r(seed ^ (index * 0xD1B54A32D192ED03ull));
    r.next();
    return r.next();
}

}  // namespace normviz::core::train
