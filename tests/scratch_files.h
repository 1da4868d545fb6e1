// Scratch folders and whole-file reads shared by the tests that write files.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace normviz::test {

// An empty folder NORMVIZ_TEST_TMP_DIR/<prefix><name>, emptied first.
inline std::filesystem::path fresh_dir(const std::string& tmp_root, const std::string& prefix,
                                       const std::string& name) {
    std::filesystem::path dir = std::filesystem::path(tmp_root) / (prefix + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// The file's bytes ("" when it cannot be read).
inline std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace normviz::test
