#pragma once
// Finding the sandbox's helper executables (kanshiki-parse-worker, kanshiki-thumb-worker); defined in
// engine/parse_sandbox.cpp.
#include <filesystem>
#include <string_view>

namespace kanshiki {

// $`env_var` when set, else `name` beside the running executable, else `build_path` (where the build put it;
// "" for none). Throws Error(failure) naming the places tried, the variable, and `hint` (what else the user
// can do, or "").
std::filesystem::path find_helper_executable(std::string_view name, const char* env_var,
                                             std::string_view build_path, std::string_view hint);

}  // namespace kanshiki
