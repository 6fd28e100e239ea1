// WhatsApp for iOS: CallHistory.sqlite in the shared app group (a Core Data store).
//
// Schema source (no real file is available to the project): the columns the open-source
// WhatsApp-Chat-Exporter (KnugiHK/WhatsApp-Chat-Exporter, iOS handler) and iLEAPP's WhatsApp call module
// read:
//   ZWACDCALLEVENT(Z_PK, Z1CALLEVENTS, ZCALLIDSTRING, ZGROUPCALLCREATORUSERJIDSTRING, ZGROUPJIDSTRING, ZDATE,
//                  ZDURATION, ZOUTCOME, ZBYTESRECEIVED, ZBYTESSENT)     -- one row per call
//   ZWAAGGREGATECALLEVENT(Z_PK, ZFIRSTDATE, ZINCOMING, ZMISSED, ZVIDEO) -- the call as listed in the UI
//   ZWACDCALLEVENTPARTICIPANT(Z_PK, Z1PARTICIPANTS, ZJIDSTRING, ZOUTCOME) -- the other parties
// Z1CALLEVENTS links a call to its aggregate event; Z1PARTICIPANTS links participants to the aggregate event
// (the exporter and iLEAPP agree on this reading). ZDATE is Cocoa seconds; ZDURATION seconds (REAL).
#include "parsers/whatsapp_ios_calls.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "parsers/whatsapp_jid.h"

namespace kanshiki::parsers::whatsapp_ios_calls {
namespace {

const TableNeed kEventNeed = {
    "ZWACDCALLEVENT", {"Z_PK", "Z1CALLEVENTS", "ZCALLIDSTRING", "ZGROUPJIDSTRING", "ZDATE", "ZDURATION"}};
const TableNeed kAggregateNeed = {"ZWAAGGREGATECALLEVENT", {"Z_PK", "ZINCOMING", "ZMISSED", "ZVIDEO"}};
const TableNeed kParticipantNeed = {"ZWACDCALLEVENTPARTICIPANT", {"Z_PK", "Z1PARTICIPANTS", "ZJIDSTRING"}};

std::string call_sql(bool with_participants) {
  std::string sql =
      "SELECT e.Z_PK AS _rowid, e.Z1CALLEVENTS, e.ZCALLIDSTRING, e.ZGROUPJIDSTRING, e.ZDATE, e.ZDURATION, "
      "a.Z_PK AS aggregate_pk, a.ZINCOMING, a.ZMISSED, a.ZVIDEO";
  if (with_participants)
    sql +=
        ", (SELECT json_group_array(ZJIDSTRING) FROM (SELECT p.ZJIDSTRING FROM ZWACDCALLEVENTPARTICIPANT p "
        "WHERE p.Z1PARTICIPANTS = e.Z1CALLEVENTS AND p.ZJIDSTRING IS NOT NULL ORDER BY p.Z_PK)) AS "
        "participants_json";
  return sql +
         " FROM ZWACDCALLEVENT e LEFT JOIN ZWAAGGREGATECALLEVENT a ON a.Z_PK = e.Z1CALLEVENTS ORDER BY "
         "e.Z_PK";
}

void on_call(const Row& r, RowEmitter& out) {
  Call c;
  c.app = "whatsapp";
  c.time = r.time("ZDATE", EpochKind::cocoa_s, out);
  if (auto d = r.real("ZDURATION")) c.duration_s = static_cast<int64_t>(std::llround(*d));

  std::vector<std::string> parties;
  if (!r.is_null("participants_json")) {
    try {
      for (const auto& v : nlohmann::json::parse(r.text("participants_json")))
        if (v.is_string()) parties.push_back(v.get<std::string>());
    } catch (const nlohmann::json::exception& e) {
      out.warn(fmt::format("call participants could not be read: {}", e.what()));
    }
  }
  // A group call is identified by its group; a one-to-one call by the other party.
  c.number = r.text("ZGROUPJIDSTRING");
  if (c.number.empty()) {
    for (const auto& p : parties) c.number += (c.number.empty() ? "" : ", ") + p;
  }
  if (parties.size() == 1 && r.text("ZGROUPJIDSTRING").empty())
    c.number_e164 = whatsapp_jid::to_e164(parties[0]);

  if (r.is_null("aggregate_pk")) {
    out.warn(
        fmt::format("aggregate call event {} not found in ZWAAGGREGATECALLEVENT: direction and video "
                    "flag unknown",
                    r.i64_or("Z1CALLEVENTS", 0)));
  } else {
    const bool incoming = r.i64_or("ZINCOMING", 0) != 0;
    c.direction = !incoming                     ? CallDirection::outgoing
                  : r.i64_or("ZMISSED", 0) != 0 ? CallDirection::missed
                                                : CallDirection::incoming;
    c.video = r.i64_or("ZVIDEO", 0) != 0;
  }
  out.emit(std::move(c));
}

class CallsParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return whatsapp_ios_calls::info(); }

 protected:
  std::vector<Query> queries() override {
    auto on_row = [](const Row& r, RowEmitter& out) { on_call(r, out); };
    return {
        {"calls",
         "ZWACDCALLEVENT with aggregate events and participants",
         {kEventNeed, kAggregateNeed, kParticipantNeed},
         call_sql(true),
         "ZWACDCALLEVENT",
         true,
         on_row},
        {"calls",
         "ZWACDCALLEVENT with aggregate events, no participant table",
         {kEventNeed, kAggregateNeed},
         call_sql(false),
         "ZWACDCALLEVENT",
         true,
         on_row},
    };
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "whatsapp.ios.calls",
      "1.0.0",
      Platform::ios,
      "WhatsApp (iOS)",
      "Voice and video calls (direction, missed, duration, other parties) from WhatsApp's "
      "CallHistory.sqlite.",
      {Locator::backup("AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "CallHistory.sqlite"),
       Locator::path("**/group.net.whatsapp.WhatsApp.shared/CallHistory.sqlite")},
      {
          "Schema taken from public tools' queries, not from a real file: verify against the evidence when a "
          "result matters.",
          "The other party is the participant JID as stored (often an @lid linked ID without a number); "
          "number_e164 is filled only for a single @s.whatsapp.net participant. Group calls report the "
          "group JID.",
          "Direction comes from the aggregate event (ZINCOMING, ZMISSED); rejected calls and ZOUTCOME codes "
          "are not distinguished.",
          "Call ids, creator of group calls and bytes sent/received are not reported; names come from "
          "ContactsV2.sqlite (whatsapp.ios.contacts), not from this file.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<CallsParser>(); }

}  // namespace kanshiki::parsers::whatsapp_ios_calls
