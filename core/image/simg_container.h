#pragma once
// Android sparse images (simg), expanded on the fly: reads map media offsets to RAW chunk data in the file,
// FILL patterns or zeros. Nothing is written out.
#include <filesystem>
#include <memory>

#include "core/image/container.h"
#include "core/image/simg_format.h"

namespace kanshiki::image {

// Reads the header and indexes every chunk (headers only; data is not read). Throws
// kanshiki::Error(corrupt_input) naming the chunk and file offset when the image is truncated or
// inconsistent.
std::unique_ptr<ImageContainer> open_sparse_container(const std::filesystem::path& path);

}  // namespace kanshiki::image
