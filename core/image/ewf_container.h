#pragma once
// EWF (Expert Witness Format: E01/Ex01 and their segment sets) through libewf, read-only.
#include <filesystem>
#include <memory>

#include "core/image/container.h"

namespace kanshiki::image {

// Opens the segment set the file belongs to (libewf_glob finds .E02, .E03, ... beside it). Throws
// kanshiki::Error(corrupt_input) with libewf's reason when the set is incomplete, truncated or damaged.
std::unique_ptr<ImageContainer> open_ewf_container(const std::filesystem::path& path);

}  // namespace kanshiki::image
