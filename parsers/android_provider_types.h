#pragma once
// Constants of Android's telephony and contacts providers, shared by every parser that reads their rows:
// from the databases (android.sms, android.calllog), from acquired `content query` output
// (android.content_query), and from apps that copy the call-log constants (viber.android).
// Sources: android.provider.Telephony.TextBasedSmsColumns.MESSAGE_TYPE_* (= BaseMmsColumns.MESSAGE_BOX_*)
// and android.provider.CallLog.Calls.TYPE.
#include <cstdint>
#include <string_view>

#include "core/artifact.h"

namespace kanshiki::parsers::android_provider {

// sms.type / pdu.msg_box: 1 inbox, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued; "" otherwise.
inline std::string_view sms_box_name(int64_t type) {
  switch (type) {
    case 1:
      return "inbox";
    case 2:
      return "sent";
    case 3:
      return "draft";
    case 4:
      return "outbox";
    case 5:
      return "failed";
    case 6:
      return "queued";
    default:
      return {};
  }
}

inline Direction sms_box_direction(int64_t type) {
  if (type == 1) return Direction::incoming;
  if (type >= 2 && type <= 6) return Direction::outgoing;
  return Direction::unknown;
}

// CallLog.Calls.TYPE. A voicemail entry (4) is a call that was not answered and left a voicemail, so it is
// reported as missed; "answered externally" (7, on another device) as incoming.
inline CallDirection call_direction(int64_t type) {
  switch (type) {
    case 1:
    case 7:
      return CallDirection::incoming;
    case 2:
      return CallDirection::outgoing;
    case 3:
    case 4:
      return CallDirection::missed;
    case 5:
      return CallDirection::rejected;
    case 6:
      return CallDirection::blocked;
    default:
      return CallDirection::unknown;
  }
}

}  // namespace kanshiki::parsers::android_provider
