#pragma once
// Google Maps for Android, on-device databases: navigation destinations (da_destination_history) and saved
// places (gmm_myplaces.db).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::google_maps_android {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::google_maps_android
