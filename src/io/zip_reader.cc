#include "io/zip_reader.h"

#include "core/error.h"
#include "io/mapped_file.h"

namespace byt5 {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kEndSize = 22;
constexpr size_t kLocatorSize = 20;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;

// True if [off, off + len) lies within a buffer of `size` bytes (overflow-safe).
bool fits(uint64_t size, uint64_t off, uint64_t len) { return off <= size && len <= size - off; }

struct Directory {
  uint64_t entries = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

[[noreturn]] void no_end_record(const uint8_t* data, size_t size, const std::string& archive) {
  if (size >= 4 && load_le32(data) == kLocalHeaderSig)
    throw Error(archive + ": zip archive is truncated or damaged (no end-of-central-directory record)");
  if (size >= 2 && data[0] == 0x80 && data[1] <= 5)
    throw Error(archive +
                ": this is the legacy torch.save format (PyTorch < 1.6), which is not supported; "
                "re-save it with a newer PyTorch or convert it to safetensors");
  throw Error(archive + ": not a zip archive (torch.save writes pytorch_model.bin as a zip)");
}

Directory find_directory(const uint8_t* data, size_t size, const std::string& archive) {
  if (size < kEndSize) no_end_record(data, size, archive);
  // The end record sits at the very end, before a comment of at most 65535 bytes.
  const size_t lowest = size - kEndSize > 0xFFFF ? size - kEndSize - 0xFFFF : 0;
  size_t end = size;  // "not found"
  for (size_t pos = size - kEndSize + 1; pos-- > lowest;) {
    if (load_le32(data + pos) == kEndSig && pos + kEndSize + load_le16(data + pos + 20) <= size) {
      end = pos;
      break;
    }
  }
  if (end == size) no_end_record(data, size, archive);

  const uint8_t* e = data + end;
  if (load_le16(e + 4) != 0 || load_le16(e + 6) != 0)
    throw Error(archive + ": multi-part zip archives are not supported");
  Directory dir{load_le16(e + 10), load_le32(e + 16), load_le32(e + 12)};

  // ZIP64: a locator just before the end record points at a record with 64-bit counts and offsets.
  if (end >= kLocatorSize && load_le32(data + end - kLocatorSize) == kZip64LocatorSig) {
    const uint64_t at = load_le64(data + end - kLocatorSize + 8);
    if (!fits(size, at, kZip64EndSize) || load_le32(data + at) != kZip64EndSig)
      throw Error(archive + ": damaged zip archive (ZIP64 end record missing at offset " + std::to_string(at) + ")");
    const uint8_t* z = data + at;
    if (load_le32(z + 16) != 0 || load_le32(z + 20) != 0)
      throw Error(archive + ": multi-part zip archives are not supported");
    dir = Directory{load_le64(z + 32), load_le64(z + 48), load_le64(z + 40)};
  }
  if (!fits(size, dir.offset, dir.size))
    throw Error(archive + ": damaged zip archive (central directory at " + std::to_string(dir.offset) + ", " +
                std::to_string(dir.size) + " bytes, lies outside the " + std::to_string(size) + "-byte file)");
  if (dir.entries > dir.size / kCentralHeaderSize)
    throw Error(archive + ": damaged zip archive (" + std::to_string(dir.entries) +
                " entries cannot fit a central directory of " + std::to_string(dir.size) + " bytes)");
  return dir;
}

struct Sizes {
  uint64_t compressed, uncompressed, local_offset;
};

// Fields that overflow 32 bits are 0xFFFFFFFF in the header and stored, in this order, in the
// ZIP64 extra field (id 1).
void apply_zip64_extra(const uint8_t* extra, size_t len, Sizes& s, const std::string& where) {
  size_t p = 0;
  while (p + 4 <= len) {
    const uint16_t id = load_le16(extra + p);
    const uint16_t n = load_le16(extra + p + 2);
    p += 4;
    if (n > len - p) throw Error(where + ": extra field runs past its header");
    if (id == 1) {
      size_t q = 0;
      for (uint64_t* field : {&s.uncompressed, &s.compressed, &s.local_offset}) {
        if (*field != 0xFFFFFFFFu) continue;
        if (q + 8 > n) throw Error(where + ": ZIP64 extra field is too short");
        *field = load_le64(extra + p + q);
        q += 8;
      }
    }
    p += n;
  }
}

}  // namespace

std::map<std::string, ZipEntry> read_zip_directory(const uint8_t* data, size_t size, const std::string& archive) {
  const Directory dir = find_directory(data, size, archive);
  const uint8_t* cd = data + dir.offset;
  std::map<std::string, ZipEntry> out;
  uint64_t p = 0;
  for (uint64_t i = 0; i < dir.entries; ++i) {
    if (!fits(dir.size, p, kCentralHeaderSize) || load_le32(cd + p) != kCentralHeaderSig)
      throw Error(archive + ": damaged zip archive (central directory entry " + std::to_string(i) + " is malformed)");
    const uint8_t* h = cd + p;
    const uint16_t flags = load_le16(h + 8), method = load_le16(h + 10);
    const uint16_t name_len = load_le16(h + 28), extra_len = load_le16(h + 30), comment_len = load_le16(h + 32);
    Sizes s{load_le32(h + 20), load_le32(h + 24), load_le32(h + 42)};
    if (!fits(dir.size, p + kCentralHeaderSize, uint64_t{name_len} + extra_len + comment_len))
      throw Error(archive + ": damaged zip archive (central directory entry " + std::to_string(i) + " is cut short)");
    std::string name(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_len);
    const std::string where = archive + ": zip entry " + name;
    apply_zip64_extra(h + kCentralHeaderSize + name_len, extra_len, s, where);
    p += kCentralHeaderSize + name_len + extra_len + comment_len;

    if (flags & 1u) throw Error(where + " is encrypted, which is not supported");
    if (method != 0)
      throw Error(where + " is compressed (method " + std::to_string(method) +
                  "); only stored entries (method 0), as torch.save writes them, are supported");
    if (s.compressed != s.uncompressed)
      throw Error(where + " is stored but its compressed and uncompressed sizes differ");
    if (!fits(size, s.local_offset, kLocalHeaderSize) || load_le32(data + s.local_offset) != kLocalHeaderSig)
      throw Error(where + ": local header missing at offset " + std::to_string(s.local_offset) + " (damaged archive)");
    const uint8_t* l = data + s.local_offset;
    const uint64_t begin = s.local_offset + kLocalHeaderSize + load_le16(l + 26) + load_le16(l + 28);
    if (!fits(size, begin, s.uncompressed))
      throw Error(where + ": its " + std::to_string(s.uncompressed) +
                  " bytes run past the end of the archive (truncated or damaged file)");
    if (!out.emplace(std::move(name), ZipEntry{begin, s.uncompressed}).second)
      throw Error(where + " appears twice in the archive");
  }
  return out;
}

}  // namespace byt5
