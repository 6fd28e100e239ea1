#pragma once
// The wire format between `process` and the sandboxed parse worker (engine/parse_sandbox.h).
//
// The worker is assumed hostile once it has read a crafted file, so everything it sends is decoded
// defensively: frames are size-limited, every length, count and enum is range-checked, nothing may trail a
// frame, and the provenance of every record must name the very
// item, evidence and parser the worker was asked to parse (a worker cannot attribute findings elsewhere).
//
// Frame: 1 byte kind, 4 bytes little-endian payload length, payload. Payload fields are little-endian
// fixed-width integers, doubles as IEEE bits, strings as u32 length + bytes, optionals as a presence byte.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/artifact.h"
#include "core/error.h"
#include "parsers/parser.h"

namespace kanshiki::parse_protocol {

enum class FrameKind : uint8_t {
  record = 'R',   // one Record
  warning = 'W',  // one Warning
  error = 'X',    // the parser threw: u8 exit code + message (the same as an in-process throw)
  done = 'Z',     // the parser returned normally; nothing follows
};

// Largest frame accepted. One record holds one message/contact/...; the biggest legitimate ones are long
// texts with attachment lists, far below this. A larger frame fails the file (named in the warning).
inline constexpr uint32_t kMaxFrame = 64u << 20;
inline constexpr size_t kFrameHeader = 5;

// What the worker is asked to do (sent on its stdin).
struct Request {
  std::string parser_id;
  std::string parser_version;  // the worker refuses to run a different version than the parent expects
  ParseInput input;
};

std::string encode_request(const Request& r);
Request decode_request(std::string_view bytes);  // throws Error(failure) when malformed

// The fork server (docs/sandbox.md). `kanshiki-parse-worker` starts as a pristine zygote that never reads
// evidence; `process` talks to it over a SOCK_SEQPACKET socket on the zygote's stdin, one message per
// datagram: 1 byte tag + payload. For each file the zygote forks a child that confines itself and parses;
// a crafted file can therefore only ever compromise its own child. The zygote reaps a child only when asked,
// so the parent may signal the child's pid until then without any risk of hitting a recycled pid.
enum class Control : char {
  parse = 'P',    // parent -> zygote: encoded Request; SCM_RIGHTS carries the child's stdout and stderr
  reap = 'W',     // parent -> zygote: i32 pid; wait for that child
  started = 'S',  // zygote -> parent: i32 pid of the forked child
  failed = 'F',   // zygote -> parent: i32 errno; the request was refused or failed (no child)
  exited = 'E',   // zygote -> parent: i32 wait status of the reaped child
};
inline constexpr size_t kMaxControl = 64u << 10;  // an encoded Request holds ids and two paths

// Appends one frame to `out`.
void append_record(std::string& out, const Record& r);
void append_warning(std::string& out, const Warning& w);
void append_error(std::string& out, ExitCode code, std::string_view message);
void append_done(std::string& out);

// Decoding of one frame payload; throws Error(corrupt_input) naming what is wrong.
Record decode_record(std::string_view payload);
Warning decode_warning(std::string_view payload);
std::pair<ExitCode, std::string> decode_error(std::string_view payload);

}  // namespace kanshiki::parse_protocol
