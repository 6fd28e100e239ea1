#include "core/artifact.h"

namespace kanshiki {

std::string_view direction_name(Direction d) {
  switch (d) {
    case Direction::incoming: return "incoming";
    case Direction::outgoing: return "outgoing";
    default: return "unknown";
  }
}

std::string_view call_direction_name(CallDirection d) {
  switch (d) {
    case CallDirection::incoming: return "incoming";
    case CallDirection::outgoing: return "outgoing";
    case CallDirection::missed: return "missed";
    case CallDirection::rejected: return "rejected";
    case CallDirection::blocked: return "blocked";
    default: return "unknown";
  }
}

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::error: return "error";
    default: return "warning";
  }
}

std::string_view artifact_type_name(const ArtifactData& data) {
  struct Namer {
    std::string_view operator()(const Message&) const { return "message"; }
    std::string_view operator()(const Thread&) const { return "thread"; }
    std::string_view operator()(const Participant&) const { return "participant"; }
    std::string_view operator()(const Call&) const { return "call"; }
    std::string_view operator()(const Contact&) const { return "contact"; }
    std::string_view operator()(const WebVisit&) const { return "web_visit"; }
    std::string_view operator()(const LocationPoint&) const { return "location"; }
    std::string_view operator()(const MediaItem&) const { return "media"; }
    std::string_view operator()(const Account&) const { return "account"; }
    std::string_view operator()(const InstalledApp&) const { return "installed_app"; }
    std::string_view operator()(const DeviceFact&) const { return "device_info"; }
  };
  return std::visit(Namer{}, data);
}

}  // namespace kanshiki
