#pragma once
// What `kanshiki image info` prints and what ingest stores for an image (evidence.derivation): the container,
// its stored and computed hashes, partitions and file systems, and every warning, as JSON.
#include <nlohmann/json.hpp>

#include "core/image/container.h"
#include "core/image/file_systems.h"

namespace kanshiki::image {

nlohmann::json describe_container(const ImageContainer& c);
nlohmann::json describe_layout(const ImageLayout& layout);
nlohmann::json describe_verification(const MediaVerification& v);

}  // namespace kanshiki::image
