// kanshiki-thumb-worker: decodes attacker-controlled images into thumbnails, each in a confined child.
// Started by `kanshiki thumbnails` (engine/thumbnails.cpp), never by hand; talks engine/thumb_protocol.h on
// stdin/stdout (one AF_UNIX stream socket). The worker itself never decodes anything: it loads the decoders
// once (Qt image plugins, libheif), then for each request forks a child that
//   1. keeps only its result pipe (stdin/stdout/stderr become /dev/null; Qt's messages are captured);
//   2. is confined exactly like a parse child (engine/sandbox_confine.h: rlimits on memory and CPU, file
//      size 0, seccomp: no network, no exec, no writing or creating files);
//   3. decodes the image (Qt: JPEG, PNG, GIF, WebP, BMP, TIFF ...; libheif: HEIC/HEIF/AVIF, because Qt 6.4
//      on Debian 12 has no HEIF plugin), applying the image's own orientation (EXIF Orientation through
//      QImageReader::setAutoTransform; HEIF irot/imir through libheif), scales it to fit 256x256 keeping the
//      aspect ratio, and encodes a baseline JPEG at a fixed quality (same original, same bytes).
// The worker waits for the child under a wall-clock limit, checks its answer and passes it on; a child that
// crashes, loops or runs out of memory becomes a "failed" answer with the reason, and the next image gets a
// fresh child.
#include <fcntl.h>
#include <libheif/heif.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QBuffer>
#include <QByteArray>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>
#include <QPainter>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "engine/sandbox_confine.h"
#include "engine/thumb_protocol.h"

namespace {

using namespace kanshiki;
namespace tp = thumb_protocol;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "kanshiki-thumb-worker: %s\n", why.c_str());
  std::fflush(stderr);
  ::_exit(3);
}

// False at a clean end of stream before the first byte; dies on a stream cut mid-frame.
bool read_exact(int fd, char* p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (got == 0) return false;
      die("request cut short");
    }
    got += static_cast<size_t>(r);
  }
  return true;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(4);  // the reader is gone: nothing left to do
    data.remove_prefix(static_cast<size_t>(n));
  }
}

tp::Response failed(std::string reason) {
  tp::Response r;
  r.status = tp::Status::failed;
  if (reason.size() > tp::kMaxReasonBytes) reason.resize(tp::kMaxReasonBytes);
  r.payload = std::move(reason);
  return r;
}

// ----- in the child --------------------------------------------------------------------------------------

// Qt reports decoder trouble (libjpeg's "Premature end of JPEG file", ...) as messages, not errors.
std::string g_decoder_messages;
void capture_message(QtMsgType, const QMessageLogContext&, const QString& message) {
  if (g_decoder_messages.size() >= tp::kMaxReasonBytes / 2) return;
  if (!g_decoder_messages.empty()) g_decoder_messages += "; ";
  g_decoder_messages += message.toStdString();
}

QSize fit_in_box(QSize source) {
  if (source.width() <= tp::kThumbnailEdge && source.height() <= tp::kThumbnailEdge) return source;
  QSize s = source.scaled(tp::kThumbnailEdge, tp::kThumbnailEdge, Qt::KeepAspectRatio);
  return s.expandedTo(QSize(1, 1));
}

struct Decoded {
  QImage image;  // already oriented; already scaled when the decoder can do it cheaply
  QSize source;  // the full image, oriented
  std::string error;
};

Decoded decode_heif(std::string_view bytes) {
  Decoded d;
  struct Free {
    void operator()(heif_context* c) const { heif_context_free(c); }
    void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
    void operator()(heif_image* i) const { heif_image_release(i); }
    void operator()(heif_decoding_options* o) const { heif_decoding_options_free(o); }
  };
  std::unique_ptr<heif_context, Free> ctx(heif_context_alloc());
  heif_error err = heif_context_read_from_memory_without_copy(ctx.get(), bytes.data(), bytes.size(), nullptr);
  if (err.code != heif_error_Ok) {
    d.error = std::string("HEIF container: ") + err.message;
    return d;
  }
  heif_image_handle* raw_handle = nullptr;
  err = heif_context_get_primary_image_handle(ctx.get(), &raw_handle);
  if (err.code != heif_error_Ok) {
    d.error = std::string("HEIF primary image: ") + err.message;
    return d;
  }
  std::unique_ptr<heif_image_handle, Free> handle(raw_handle);
  // Default options apply the container's transformations (irot, imir, clap): the picture as shown.
  std::unique_ptr<heif_decoding_options, Free> options(heif_decoding_options_alloc());
  heif_image* raw_image = nullptr;
  err = heif_decode_image(handle.get(), &raw_image, heif_colorspace_RGB, heif_chroma_interleaved_RGB,
                          options.get());
  if (err.code != heif_error_Ok) {
    d.error = std::string("HEIF decode: ") + err.message;
    return d;
  }
  std::unique_ptr<heif_image, Free> image(raw_image);
  int stride = 0;
  const uint8_t* plane = heif_image_get_plane_readonly(image.get(), heif_channel_interleaved, &stride);
  const int w = heif_image_get_width(image.get(), heif_channel_interleaved);
  const int h = heif_image_get_height(image.get(), heif_channel_interleaved);
  if (!plane || w <= 0 || h <= 0) {
    d.error = "HEIF decode gave no picture";
    return d;
  }
  d.source = QSize(w, h);
  // The view borrows libheif's plane; the scaled copy owns its pixels before the plane is released.
  QImage view(plane, w, h, stride, QImage::Format_RGB888);
  d.image = view.scaled(fit_in_box(d.source), Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  return d;
}

Decoded decode_with_qt(std::string_view bytes) {
  Decoded d;
  QByteArray data = QByteArray::fromRawData(bytes.data(), static_cast<qsizetype>(bytes.size()));
  QBuffer buffer(&data);
  buffer.open(QIODevice::ReadOnly);
  QImageReader reader(&buffer);
  reader.setDecideFormatFromContent(true);
  reader.setAutoTransform(true);
  const QSize stored = reader.size();
  if (!stored.isValid()) {
    d.error = "not a readable image (" + reader.errorString().toStdString() + ")";
    return d;
  }
  // The scaled size is applied before the orientation; a square box fits either way round. JPEG then
  // decodes at 1/2, 1/4 or 1/8 scale in libjpeg, which makes large photos cheap.
  reader.setScaledSize(fit_in_box(stored));
  const bool turned = reader.transformation() & QImageIOHandler::TransformationRotate90;
  d.source = turned ? stored.transposed() : stored;
  if (!reader.read(&d.image)) d.error = "decode failed (" + reader.errorString().toStdString() + ")";
  return d;
}

bool is_heif(std::string_view bytes) {
  const heif_filetype_result t = heif_check_filetype(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                     static_cast<int>(std::min<size_t>(bytes.size(), 64)));
  return t == heif_filetype_yes_supported || t == heif_filetype_maybe;
}

tp::Response make_thumbnail(std::string_view bytes) {
  Decoded d = is_heif(bytes) ? decode_heif(bytes) : decode_with_qt(bytes);
  if (!d.error.empty()) {
    if (!g_decoder_messages.empty()) d.error += "; decoder: " + g_decoder_messages;
    return failed(d.error);
  }
  if (d.image.isNull()) return failed("decoder gave an empty image");
  const QSize target = fit_in_box(d.image.size());
  QImage scaled = d.image.size() == target
                      ? d.image
                      : d.image.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  // A fresh canvas: transparency shows as white (not black), and nothing the original carried (text
  // chunks, colour profile, resolution) reaches the thumbnail's bytes.
  QImage canvas(target, QImage::Format_RGB32);
  canvas.fill(Qt::white);
  {
    QPainter painter(&canvas);
    painter.drawImage(0, 0, scaled);
  }
  canvas.setDotsPerMeterX(2835);  // 72 dpi, fixed so the JFIF header never varies
  canvas.setDotsPerMeterY(2835);
  QByteArray jpeg;
  QBuffer out(&jpeg);
  out.open(QIODevice::WriteOnly);
  QImageWriter writer(&out, "jpeg");
  writer.setQuality(tp::kJpegQuality);
  writer.setOptimizedWrite(false);
  writer.setProgressiveScanWrite(false);
  if (!writer.write(canvas)) return failed("JPEG encoding failed: " + writer.errorString().toStdString());
  tp::Response r;
  r.status = tp::Status::thumbnail;
  r.source_width = static_cast<uint32_t>(d.source.width());
  r.source_height = static_cast<uint32_t>(d.source.height());
  r.width = static_cast<uint32_t>(target.width());
  r.height = static_cast<uint32_t>(target.height());
  r.payload.assign(jpeg.constData(), static_cast<size_t>(jpeg.size()));
  r.note = g_decoder_messages;
  if (r.note.size() > tp::kMaxReasonBytes) r.note.resize(tp::kMaxReasonBytes);
  return r;
}

// Test hook, as in the parse worker: with KANSHIKI_TEST_FAULTS=1, an image containing
// "KANSHIKI-FAULT:<kind>" in its first 64 KiB makes the *decoder child* misbehave the way a decoder
// exploited by a crafted file might. Lives only in this executable.
void maybe_inject_fault(std::string_view bytes) {
  const char* on = std::getenv("KANSHIKI_TEST_FAULTS");
  if (!on || std::string_view(on) != "1") return;
  const auto at = bytes.substr(0, 64u << 10).find("KANSHIKI-FAULT:");
  if (at == std::string_view::npos) return;
  const std::string_view kind = bytes.substr(at + 15, 8);
  if (kind.starts_with("segv")) std::raise(SIGSEGV);
  if (kind.starts_with("loop"))
    for (;;) asm volatile("" ::: "memory");  // burns CPU until RLIMIT_CPU
  if (kind.starts_with("sleep")) std::this_thread::sleep_for(std::chrono::hours(1));
  if (kind.starts_with("memory")) {
    std::vector<std::string> hog;
    for (;;) hog.emplace_back(64u << 20, 'x');
  }
  if (kind.starts_with("write")) {
    // What an exploited decoder would try: write into the case or the evidence.
    FILE* f = std::fopen("/tmp/kanshiki-thumb-pwned", "w");
    if (f) std::abort();  // the test sees a crash, not a thumbnail
  }
}

[[noreturn]] void run_child(std::string_view bytes, int result_fd, pid_t worker, uint64_t memory,
                            unsigned cpu) {
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(null_fd, STDOUT_FILENO) < 0 ||
      ::dup2(null_fd, STDERR_FILENO) < 0 || ::dup2(result_fd, 3) < 0)
    ::_exit(5);
  ::close_range(4, ~0U, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != worker) ::_exit(6);  // the worker died between fork and prctl
  qInstallMessageHandler(capture_message);
  if (std::string why = sandbox::confine_process(memory, cpu); !why.empty()) {
    write_all(3, tp::encode_response(failed("sandbox could not be set up: " + why)));
    ::_exit(0);
  }
  tp::Response r;
  try {
    maybe_inject_fault(bytes);
    r = make_thumbnail(bytes);
  } catch (const std::bad_alloc&) {
    r = failed("decoder ran out of memory (limit " + std::to_string(memory >> 20) + " MiB)");
  } catch (const std::exception& e) {
    r = failed(std::string("decoder failed: ") + e.what());
  }
  write_all(3, tp::encode_response(r));
  ::_exit(0);  // no destructors or leak checks under the filter
}

// ----- in the worker -------------------------------------------------------------------------------------

std::string describe_end(int status, unsigned cpu) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXCPU)
      return "decoder exceeded its CPU limit (" + std::to_string(cpu) + " s) and was stopped";
    const char* name = ::sigabbrev_np(sig);
    return "decoder crashed (signal " + std::to_string(sig) + (name ? std::string(" SIG") + name : "") + ")";
  }
  if (WIFEXITED(status)) return "decoder exited with status " + std::to_string(WEXITSTATUS(status));
  return "decoder ended abnormally";
}

tp::Response decode_in_child(std::string_view bytes, uint64_t memory, unsigned cpu, unsigned wall) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return failed(std::string("pipe: ") + std::strerror(errno));
  const pid_t self = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return failed(std::string("fork: ") + std::strerror(errno));
  }
  if (child == 0) run_child(bytes, pipe_fds[1], self, memory, cpu);
  ::close(pipe_fds[1]);
  const size_t cap = tp::kResponseHeaderBytes + tp::kMaxPayloadBytes + 4 + tp::kMaxReasonBytes;
  std::string answer;
  bool timed_out = false, oversized = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wall);
  char chunk[64 * 1024];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = ::read(pipe_fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of file: the child is done (or dead)
    answer.append(chunk, static_cast<size_t>(n));
    if (answer.size() > cap) {
      oversized = true;
      break;
    }
  }
  ::close(pipe_fds[0]);
  if (timed_out || oversized) ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return failed("decoder killed after " + std::to_string(wall) + " s (wall-clock limit)");
  if (oversized) return failed("decoder sent an oversized answer");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return failed(describe_end(status, cpu));
  tp::Response r;
  std::string why;
  if (!tp::decode_response(answer, r, why)) return failed("decoder sent a malformed answer: " + why);
  return r;
}

// Loads the decoders before any child exists, so every child starts from the same state and the plugins'
// libraries are already mapped when the filter is in place. Tiny images keep Qt from starting its
// scaling thread pool here (threads do not survive fork).
void warm_up() {
  for (const char* format : {"jpeg", "png", "gif", "bmp", "webp"}) {
    QImage probe(4, 4, QImage::Format_RGB32);
    probe.fill(Qt::gray);
    QByteArray bytes;
    QBuffer b(&bytes);
    b.open(QIODevice::WriteOnly);
    QImageWriter w(&b, format);
    if (!w.canWrite()) continue;  // gif has no writer; its reader still loads below when asked
    w.write(probe);
    QImage back;
    QBuffer r(&bytes);
    r.open(QIODevice::ReadOnly);
    QImageReader(&r).read(&back);
  }
  if (!QImageReader::supportedImageFormats().contains("jpeg"))
    die("Qt has no JPEG image plugin (install qt6-base: imageformats/libqjpeg.so)");
  heif_init(nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  if (!sandbox::enter_worker_process()) die("parent already gone");

  uint64_t memory = 2ull << 30;
  unsigned cpu = 60, wall = 120;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view a = argv[i];
    if (a == "--memory")
      memory = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--cpu")
      cpu = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    else if (a == "--wall")
      wall = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    else
      die("unknown argument " + std::string(a));
  }
  warm_up();
  std::string image;
  for (;;) {
    char header[4];
    if (!read_exact(STDIN_FILENO, header, sizeof header)) break;  // the caller is done
    const uint32_t length = tp::get_u32(header);
    if (length > tp::kMaxImageBytes) die("request over the image size limit");
    image.resize(length);
    if (length && !read_exact(STDIN_FILENO, image.data(), length)) die("request cut short");
    write_all(STDOUT_FILENO, tp::encode_response(decode_in_child(image, memory, cpu, wall)));
  }
  return 0;
}
