// The Sleuth Kit over our container layer. TSK is C: nothing may unwind through its frames, so every
// callback catches and hands exceptions back to the caller after the walk returns.
#include "core/image/file_systems.h"

#include <fmt/format.h>
#include <tsk/libtsk.h>

#include <cstring>
#include <exception>
#include <set>

#include "core/error.h"
#include "core/evidence/sources_impl.h"

namespace kanshiki::image {

namespace {

// A TSK "external" image: TSK_IMG_INFO must come first (TSK casts the pointer), our state after it. TSK frees
// it through ext_close when tsk_img_close is called.
struct ExternalImage {
  TSK_IMG_INFO tsk;
  ImageContainer* container;
};

ssize_t ext_read(TSK_IMG_INFO* img, TSK_OFF_T offset, char* buffer, size_t n) {
  auto* self = reinterpret_cast<ExternalImage*>(img);
  try {
    return static_cast<ssize_t>(self->container->read_at(static_cast<uint64_t>(offset), buffer, n));
  } catch (const std::exception& e) {
    tsk_error_reset();
    tsk_error_set_errno(TSK_ERR_IMG_READ);
    tsk_error_set_errstr("%s", e.what());
    return -1;
  }
}
void ext_close(TSK_IMG_INFO* img) { delete reinterpret_cast<ExternalImage*>(img); }
void ext_imgstat(TSK_IMG_INFO*, FILE*) {}

std::string tsk_message() {
  const char* s = tsk_error_get();
  std::string out = s && *s ? s : "no reason given";
  tsk_error_reset();
  for (char& c : out)
    if (c == '\n') c = ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

uint32_t le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// Partition names become the first segment of logical paths: keep them one clean segment.
std::string path_segment(std::string name) {
  for (char& c : name)
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
  if (name == "." || name == "..") name.clear();
  return name;
}

constexpr uint32_t kExt4FeatureIncompatEncrypt = 0x10000;  // s_feature_incompat bit: file-based encryption
constexpr unsigned char kMbrTypeGptProtective = 0xEE;      // the protective MBR entry in front of a GPT
constexpr uint32_t kAndroidCryptFooterMagic = 0xD0B5B1C4;  // Android FDE crypt footer (last 16 KiB)

}  // namespace

struct OpenFs {
  TSK_FS_INFO* fs = nullptr;
  size_t volume = 0;  // index into layout.volumes
};

struct ImageFileSystems::Impl {
  ImageContainer& container;
  TSK_IMG_INFO* img = nullptr;
  TSK_VS_INFO* vs = nullptr;
  std::vector<OpenFs> filesystems;
  explicit Impl(ImageContainer& c) : container(c) {}
  ~Impl() {
    for (OpenFs& f : filesystems) tsk_fs_close(f.fs);
    if (vs) tsk_vs_close(vs);
    if (img) tsk_img_close(img);
  }

  bool read_media(uint64_t offset, void* buf, size_t n) {
    try {
      return container.read_at(offset, buf, n) == n;
    } catch (const Error&) {
      return false;
    }
  }

  // Sector 0 holds an MBR with a GPT-protective entry starting in the first 63 sectors: what TSK's DOS
  // probe lists as a "GPT Safety" partition.
  bool has_protective_mbr() {
    unsigned char mbr[512] = {};
    if (!read_media(0, mbr, sizeof mbr) || mbr[510] != 0x55 || mbr[511] != 0xAA) return false;
    for (int i = 0; i < 4; ++i) {
      const unsigned char* entry = mbr + 446 + 16 * i;
      if (entry[4] == kMbrTypeGptProtective && le32(entry + 8) <= 63) return true;
    }
    return false;
  }

  // TSK's autodetection, minus a leak. libtsk 4.11's tsk_vs_open(TSK_VS_TYPE_DETECT) drops the DOS view of
  // a GPT disk's protective MBR without closing it whenever it settles on GPT (tsk/vs/mm_open.c, the "GPT
  // Safety" branch): 388 bytes per image, which LeakSanitizer reports in every process that opens a phone
  // disk. In exactly that case — protective MBR, primary (not backup) GPT, no BSD, Sun or Mac label — its
  // answer is known to be GPT, so GPT is opened directly; every other disk goes through autodetection.
  TSK_VS_INFO* open_volume_system() {
    if (has_protective_mbr()) {
      if (TSK_VS_INFO* gpt = tsk_vs_open(img, 0, TSK_VS_TYPE_GPT)) {
        bool other_label = false;
        for (TSK_VS_TYPE_ENUM type : {TSK_VS_TYPE_BSD, TSK_VS_TYPE_SUN, TSK_VS_TYPE_MAC}) {
          if (TSK_VS_INFO* other = tsk_vs_open(img, 0, type)) {
            tsk_vs_close(other);
            other_label = true;
          }
        }
        tsk_error_reset();
        if (!gpt->is_backup && !other_label) return gpt;
        tsk_vs_close(gpt);  // TSK's own rules decide (DOS over a backup GPT, ambiguity errors)
      }
      tsk_error_reset();
    }
    return tsk_vs_open(img, 0, TSK_VS_TYPE_DETECT);
  }

  // Opens the file system of `v` (if any) and fills in what is known about it.
  void open_volume(Volume& v, size_t index) {
    TSK_FS_INFO* fs = tsk_fs_open_img(img, static_cast<TSK_OFF_T>(v.offset), TSK_FS_TYPE_DETECT);
    std::string where = v.name.empty() ? std::string("the image") : "partition '" + v.name + "'";
    if (!fs) {
      std::string why = tsk_message();
      unsigned char sig[4] = {};
      if (read_media(v.offset + 32, sig, 4) && std::memcmp(sig, "NXSB", 4) == 0) {
        v.file_system = "apfs";
        v.warnings.push_back(
            where +
            " holds an APFS container: APFS is not supported by this build (it needs TSK's pool "
            "interface, which Kanshiki does not use yet); its files are not listed");
        return;
      }
      unsigned char footer[4] = {};
      if (v.length >= 16384 && read_media(v.offset + v.length - 16384, footer, 4) &&
          le32(footer) == kAndroidCryptFooterMagic) {
        v.encrypted = true;
        v.warnings.push_back(where +
                             " is Android full-disk encrypted (crypt footer found): keys needed; no file "
                             "system can be read without them");
        return;
      }
      std::string hint = v.name == "userdata" || v.name.empty()
                             ? "; if this is a phone's userdata it may be full-disk encrypted (keys needed)"
                             : "";
      v.warnings.push_back(fmt::format("no file system recognised in {} ({} bytes at offset {}): {}{}", where,
                                       v.length, v.offset, why, hint));
      return;
    }
    v.file_system = tsk_fs_type_toname(fs->ftype);
    v.block_size = fs->block_size;
    v.fs_bytes = static_cast<uint64_t>(fs->block_count) * fs->block_size;
    uint64_t available =
        std::min<uint64_t>(v.length, container.media_size() - std::min(v.offset, container.media_size()));
    if (v.fs_bytes > available)
      v.warnings.push_back(
          fmt::format("{}: the {} file system declares {} bytes but the image holds only {} of them: "
                      "the image is truncated; files stored beyond byte {} of the image cannot be read",
                      where, v.file_system, v.fs_bytes, available, v.offset + available));
    if (TSK_FS_TYPE_ISEXT(fs->ftype)) {
      unsigned char sb[0x100] = {};
      if (read_media(v.offset + 1024, sb, sizeof sb) && (le32(sb + 0x60) & kExt4FeatureIncompatEncrypt)) {
        v.encrypted = true;
        v.warnings.push_back(
            where +
            ": file-based encryption (ext4 'encrypt' feature) is enabled; keys needed: the names "
            "and contents of encrypted directories cannot be read without the device's keys, so "
            "their files are listed with scrambled names and unreadable content");
      }
    }
    filesystems.push_back({fs, index});
  }
};

ImageFileSystems::ImageFileSystems(ImageContainer& container) : impl_(std::make_unique<Impl>(container)) {
  auto* ext = new ExternalImage{};
  ext->container = &container;
  uint32_t sector = container.sector_size();
  impl_->img = tsk_img_open_external(ext, static_cast<TSK_OFF_T>(container.media_size()), sector, ext_read,
                                     ext_close, ext_imgstat);
  if (!impl_->img) {
    delete ext;
    throw Error(ExitCode::failure, "The Sleuth Kit cannot use the image: " + tsk_message());
  }
  impl_->vs = impl_->open_volume_system();
  if (!impl_->vs) {
    tsk_error_reset();
    layout_.volume_system = "none";
    Volume v;
    v.length = container.media_size();
    layout_.volumes.push_back(v);
    impl_->open_volume(layout_.volumes.back(), 0);
    if (layout_.volumes.back().file_system.empty())
      layout_.warnings.push_back(
          "no partition table and no file system recognised: nothing can be listed from this "
          "image (it may be encrypted, damaged, or a format TSK does not know)");
    return;
  }
  layout_.volume_system = tsk_vs_type_toname(impl_->vs->vstype);
  bool gpt = impl_->vs->vstype == TSK_VS_TYPE_GPT;
  std::set<std::string> used;
  int number = 0;
  for (TSK_PNUM_T i = 0; i < impl_->vs->part_count; ++i) {
    const TSK_VS_PART_INFO* part = tsk_vs_part_get(impl_->vs, i);
    if (!part || !(part->flags & TSK_VS_PART_FLAG_ALLOC)) continue;
    Volume v;
    v.number = ++number;
    v.table_entry = part->desc ? part->desc : "";
    v.offset = part->start * impl_->vs->block_size + impl_->vs->offset;
    v.length = part->len * impl_->vs->block_size;
    std::string name = gpt ? path_segment(v.table_entry) : "";
    if (name.empty() || used.count(name)) name = fmt::format("p{}", v.number);
    used.insert(name);
    v.name = name;
    if (v.offset + v.length > container.media_size())
      v.warnings.push_back(
          fmt::format("partition '{}' ends at byte {} but the image is only {} bytes: the image is "
                      "truncated",
                      v.name, v.offset + v.length, container.media_size()));
    layout_.volumes.push_back(v);
  }
  for (size_t i = 0; i < layout_.volumes.size(); ++i) impl_->open_volume(layout_.volumes[i], i);
  if (layout_.volumes.empty()) layout_.warnings.push_back("the partition table lists no partitions");
}

ImageFileSystems::~ImageFileSystems() = default;

namespace {

// Content of one file, read through TSK. Allocated files: a read failure is reported once and thrown (the
// walk goes on with the next file). Deleted files: what cannot be recovered ends the stream early, with a
// note.
class TskFileReader final : public ByteReader {
 public:
  TskFileReader(TSK_FS_FILE* file, std::string logical, bool deleted,
                const EvidenceSource::ProblemHandler& on_problem)
      : file_(file), logical_(std::move(logical)), deleted_(deleted), on_problem_(on_problem) {
    size_ = file && file->meta ? static_cast<uint64_t>(file->meta->size) : 0;
  }
  size_t read(void* buffer, size_t n) override {
    if (offset_ >= size_ || n == 0 || stopped_) return 0;
    size_t want = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset_));
    ssize_t r = tsk_fs_file_read(file_, static_cast<TSK_OFF_T>(offset_), static_cast<char*>(buffer), want,
                                 TSK_FS_FILE_READ_FLAG_NONE);
    if (r <= 0) {
      std::string why = r < 0 ? tsk_message() : "no data";
      if (deleted_) {
        stopped_ = true;
        report(fmt::format("deleted file {}: content could be recovered only up to byte {} of {} ({})",
                           logical_, offset_, size_, why));
        return 0;
      }
      std::string msg = fmt::format("cannot read {} at byte {} of {}: {}", logical_, offset_, size_, why);
      report(msg);
      throw Error(ExitCode::corrupt_input, msg);
    }
    offset_ += static_cast<uint64_t>(r);
    return static_cast<size_t>(r);
  }
  bool failed() const { return failed_; }

 private:
  void report(const std::string& msg) {
    if (failed_) return;
    failed_ = true;
    if (on_problem_) on_problem_(SourceProblem{logical_, msg, false});
  }
  TSK_FS_FILE* file_;
  std::string logical_;
  bool deleted_;
  const EvidenceSource::ProblemHandler& on_problem_;
  uint64_t size_ = 0, offset_ = 0;
  bool failed_ = false, stopped_ = false;
};

struct FirstBlock {
  std::optional<uint64_t> address;
};
TSK_WALK_RET_ENUM first_block_cb(TSK_FS_FILE*, TSK_OFF_T, TSK_DADDR_T addr, char*, size_t,
                                 TSK_FS_BLOCK_FLAG_ENUM flags, void* ptr) {
  if (flags & (TSK_FS_BLOCK_FLAG_RES | TSK_FS_BLOCK_FLAG_SPARSE)) return TSK_WALK_CONT;
  static_cast<FirstBlock*>(ptr)->address = addr;
  return TSK_WALK_STOP;
}

struct WalkState {
  TSK_FS_INFO* fs;
  const Volume* volume;
  std::string prefix;
  const EvidenceSource::Filter* filter;
  const EvidenceSource::FileHandler* on_file;
  const EvidenceSource::ProblemHandler* on_problem;
  std::set<std::string> deleted_paths;
  std::exception_ptr failure;
  uint64_t files = 0, deleted = 0;

  void problem(std::string path, std::string message) {
    if (*on_problem) (*on_problem)(SourceProblem{std::move(path), std::move(message), false});
  }
};

TSK_WALK_RET_ENUM dir_cb(TSK_FS_FILE* file, const char* parent, void* ptr) {
  auto* st = static_cast<WalkState*>(ptr);
  try {
    if (!file->name || !file->name->name || TSK_FS_ISDOT(file->name->name)) return TSK_WALK_CONT;
    TSK_FS_NAME_TYPE_ENUM ntype = file->name->type;
    TSK_FS_META_TYPE_ENUM mtype = file->meta ? file->meta->type : TSK_FS_META_TYPE_UNDEF;
    // TSK's own virtual files ($MBR, $FAT1, $OrphanFiles): not on the evidence, so not items.
    if (ntype == TSK_FS_NAME_TYPE_VIRT || ntype == TSK_FS_NAME_TYPE_VIRT_DIR ||
        mtype == TSK_FS_META_TYPE_VIRT || mtype == TSK_FS_META_TYPE_VIRT_DIR)
      return TSK_WALK_CONT;
    if (ntype == TSK_FS_NAME_TYPE_DIR || mtype == TSK_FS_META_TYPE_DIR) return TSK_WALK_CONT;  // TSK recurses
    // TSK lists a FAT volume label as a 0-byte regular file named "<LABEL> (Volume Label Entry)" in the root.
    if (TSK_FS_TYPE_ISFAT(st->fs->ftype) && (!parent || !*parent) &&
        std::string_view(file->name->name).ends_with(" (Volume Label Entry)"))
      return TSK_WALK_CONT;
    bool deleted = (file->name->flags & TSK_FS_NAME_FLAG_UNALLOC) ||
                   (file->meta && (file->meta->flags & TSK_FS_META_FLAG_UNALLOC));
    std::string stored = std::string(parent ? parent : "") + file->name->name;
    evidence_detail::SanitisedPath clean = evidence_detail::sanitise_stored_name(stored);
    std::string logical = st->prefix + clean.path;
    uint64_t inode = file->name->meta_addr;
    if (deleted) {
      logical += fmt::format("#deleted-inode-{}", inode);
      for (int n = 2; !st->deleted_paths.insert(logical).second; ++n)
        logical = st->prefix + clean.path + fmt::format("#deleted-inode-{}-{}", inode, n);
    }
    if (!evidence_detail::accepts(*st->filter, logical)) return TSK_WALK_CONT;
    bool regular =
        ntype == TSK_FS_NAME_TYPE_REG || (ntype == TSK_FS_NAME_TYPE_UNDEF && mtype == TSK_FS_META_TYPE_REG);
    if (!regular) {
      if (deleted) return TSK_WALK_CONT;  // deleted links/devices carry nothing to hash
      if (ntype == TSK_FS_NAME_TYPE_LNK || mtype == TSK_FS_META_TYPE_LNK)
        st->problem(logical, "symbolic link " + logical + " is not followed");
      else
        st->problem(logical, logical + " is not a regular file (special file); not visited");
      return TSK_WALK_CONT;
    }
    EvidenceEntry entry;
    entry.path = logical;
    entry.physical = fmt::format("{}inode {}", st->volume->name.empty() ? "" : st->volume->name + ":", inode);
    entry.partition = st->volume->name;
    entry.inode = inode;
    entry.deleted = deleted;
    if (!clean.unsafe_reason.empty())
      entry.note = "unsafe name '" + stored + "' (" + clean.unsafe_reason + ")";
    if (file->meta) {
      entry.size = static_cast<uint64_t>(file->meta->size);
      if (file->meta->mtime) entry.mtime_unix_s = file->meta->mtime;
      if (file->meta->ctime) entry.ctime_unix_s = file->meta->ctime;
      if (file->meta->atime) entry.atime_unix_s = file->meta->atime;
      if (file->meta->crtime) entry.btime_unix_s = file->meta->crtime;
      FirstBlock first;
      if (entry.size > 0 &&
          tsk_fs_file_walk(file,
                           static_cast<TSK_FS_FILE_WALK_FLAG_ENUM>(TSK_FS_FILE_WALK_FLAG_AONLY |
                                                                   TSK_FS_FILE_WALK_FLAG_NOSPARSE),
                           first_block_cb, &first) != 0)
        tsk_error_reset();
      if (first.address) entry.image_offset = st->fs->offset + *first.address * st->fs->block_size;
    }
    if (deleted) {
      ++st->deleted;
      std::string n = fmt::format("deleted file (unallocated directory entry, inode {})", inode);
      if (!file->meta)
        n += "; its metadata is gone: name only, no content";
      else
        n += fmt::format(
            "; original size {} bytes; content is what the file system still holds and may belong to "
            "a later file that reused the blocks",
            entry.size);
      entry.note = entry.note.empty() ? n : entry.note + "; " + n;
    }
    ++st->files;
    TskFileReader reader(file->meta ? file : nullptr, logical, deleted, *st->on_problem);
    try {
      (*st->on_file)(entry, reader);
    } catch (const Error&) {
      if (!reader.failed() || deleted) throw;  // the handler's own failure: not ours to swallow
    }
    return TSK_WALK_CONT;
  } catch (...) {
    st->failure = std::current_exception();
    return TSK_WALK_STOP;
  }
}

}  // namespace

void ImageFileSystems::for_each_file(const EvidenceSource::Filter& filter,
                                     const EvidenceSource::FileHandler& on_file,
                                     const EvidenceSource::ProblemHandler& on_problem) {
  for (OpenFs& open : impl_->filesystems) {
    const Volume& v = layout_.volumes[open.volume];
    WalkState st{open.fs, &v, v.name.empty() ? "" : v.name + "/", &filter, &on_file, &on_problem, {}, {},
                 0,       0};
    // NOORPHAN: TSK's orphan search scans every inode of the file system, which would cost more than the walk
    // itself on a phone's userdata; deleted names still in directories are listed.
    auto flags =
        static_cast<TSK_FS_DIR_WALK_FLAG_ENUM>(TSK_FS_DIR_WALK_FLAG_ALLOC | TSK_FS_DIR_WALK_FLAG_UNALLOC |
                                               TSK_FS_DIR_WALK_FLAG_RECURSE | TSK_FS_DIR_WALK_FLAG_NOORPHAN);
    uint8_t rc = tsk_fs_dir_walk(open.fs, open.fs->root_inum, flags, dir_cb, &st);
    if (st.failure) std::rethrow_exception(st.failure);
    if (rc != 0)
      st.problem(v.name,
                 fmt::format("the {} file system{} could not be walked completely: {} ({} files listed)",
                             v.file_system, v.name.empty() ? "" : " of partition '" + v.name + "'",
                             tsk_message(), st.files));
  }
}

}  // namespace kanshiki::image
