#pragma once
// KakaoTalk for Android: KakaoTalk.db (chat_logs, chat_rooms) and KakaoTalk2.db (friends), with message text
// decrypted by the published column-encryption scheme (parsers/kakaotalk_crypt.h).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::kakaotalk_android {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::kakaotalk_android
