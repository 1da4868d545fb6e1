// SplitMix64 (Steele, Lea, Flood 2014): the one seeded random step every generator in normviz
// builds on, so a seed gives the same numbers on every platform and standard library.
#pragma once

#include <cstdint>

namespace normviz::core {

// Advances `state` and returns the next 64 random bits.
inline uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace normviz::core
