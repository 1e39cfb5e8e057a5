#include "io/torch_pickle.h"

#include <bit>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <string_view>
#include <unordered_map>

#include "core/error.h"

namespace byt5 {
namespace {

// Python objects the machine can build. Everything else is refused when it would be created.
enum class Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Callable, StorageType, Storage, Tensor };
enum class Fn { OrderedDict, RebuildTensorV2, RebuildParameter };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::Tuple: return "tuple";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Callable: return "function";
    case Kind::StorageType: return "storage type";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
  }
  return "?";
}

constexpr size_t kMaxDims = 64;          // far above any real tensor; bounds per-tensor copies
constexpr size_t kMaxShortString = 256;  // storage keys, global names: short in every real file

struct Obj {
  Kind kind = Kind::None;
  int64_t i = 0;                               // Int, Bool; Storage: numel; Tensor: storage offset
  double f = 0;                                // Float
  Fn fn = Fn::OrderedDict;                     // Callable
  std::string s;                               // Str; StorageType: e.g. "FloatStorage"; Storage: key
  std::vector<Obj*> items;                     // Tuple, List
  std::vector<std::pair<Obj*, Obj*>> entries;  // Dict, in insertion order
  // Dict: str key -> index in entries. Views into Str objects, which never change once made.
  std::map<std::string_view, size_t> str_index;
  Obj* ref = nullptr;                 // Storage: its StorageType; Tensor: its Storage
  std::vector<int64_t> size, stride;  // Tensor
};

class Unpickler {
 public:
  Unpickler(const uint8_t* data, size_t size, const std::string& what) : data_(data), size_(size), what_(what) {}

  std::vector<PickledTensor> run() {
    for (;;) {
      op_pos_ = pos_;
      if (pos_ == size_) fail("the pickle ends without a STOP opcode", "truncated file?");
      const uint8_t op = u8();
      if (op == '.') break;  // STOP
      step(op);
    }
    return state_dict(pop());
  }

 private:
  // "FILE: top/data.pkl: <msg> at offset N[ (<why>)]"
  [[noreturn]] void fail(const std::string& msg, const std::string& why = "") const {
    throw Error(what_ + ": " + msg + " at offset " + std::to_string(op_pos_) + (why.empty() ? "" : " (" + why + ")"));
  }

  const uint8_t* take(size_t n) {
    if (n > size_ - pos_) fail("the pickle ends in the middle of an opcode", "truncated file?");
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  uint8_t u8() { return *take(1); }
  uint16_t u16() {
    const uint8_t* p = take(2);
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
  }
  uint32_t u32() {
    uint32_t v;
    std::memcpy(&v, take(4), 4);
    return v;
  }
  uint64_t u64() {
    uint64_t v;
    std::memcpy(&v, take(8), 8);
    return v;
  }
  std::string_view line() {
    const uint8_t* p = data_ + pos_;
    const void* nl = std::memchr(p, '\n', size_ - pos_);
    if (!nl) fail("unterminated GLOBAL name");
    size_t n = static_cast<size_t>(static_cast<const uint8_t*>(nl) - p);
    take(n + 1);
    return {reinterpret_cast<const char*>(p), n};
  }

  Obj* make(Kind k) {
    arena_.emplace_back();
    arena_.back().kind = k;
    return &arena_.back();
  }
  Obj* make_int(int64_t v) {
    Obj* o = make(Kind::Int);
    o->i = v;
    return o;
  }
  Obj* make_str(size_t n) {
    Obj* o = make(Kind::Str);
    const uint8_t* p = take(n);
    o->s.assign(reinterpret_cast<const char*>(p), n);
    return o;
  }

  // The stack below the innermost MARK belongs to the enclosing construct and cannot be popped.
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(Obj* o) { stack_.push_back(o); }
  Obj* pop() {
    if (stack_.size() <= floor()) fail("pickle stack underflow");
    Obj* o = stack_.back();
    stack_.pop_back();
    return o;
  }
  Obj* top() {
    if (stack_.size() <= floor()) fail("pickle stack underflow");
    return stack_.back();
  }
  std::vector<Obj*> pop_mark() {
    if (marks_.empty()) fail("pickle opcode needs a MARK that is not there");
    std::vector<Obj*> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  Obj* expect(Obj* o, Kind k, const char* role) {
    if (o->kind != k) fail(std::string(role) + " should be a " + kind_name(k) + ", not a " + kind_name(o->kind));
    return o;
  }
  void memo_put(uint64_t key) { memo_[key] = top(); }
  void memo_get(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("memo entry " + std::to_string(key) + " is used before it is set");
    push(it->second);
  }

  void step(uint8_t op) {
    switch (op) {
      case 0x80: {  // PROTO
        const uint8_t v = u8();
        if (v < 2 || v > 5) fail("unsupported pickle protocol " + std::to_string(v));
        return;
      }
      case 0x95: take(8); return;  // FRAME: a length hint, irrelevant when the whole pickle is in memory
      case 'c': {                  // GLOBAL
        const std::string_view module = line();
        push(global(module, line()));
        return;
      }
      case 0x93: {  // STACK_GLOBAL
        Obj* name = expect(pop(), Kind::Str, "STACK_GLOBAL name");
        Obj* module = expect(pop(), Kind::Str, "STACK_GLOBAL module");
        push(global(module->s, name->s));
        return;
      }
      case 'q': memo_put(u8()); return;                   // BINPUT
      case 'r': memo_put(u32()); return;                  // LONG_BINPUT
      case 0x94: memo_put(memo_.size()); return;          // MEMOIZE
      case 'h': memo_get(u8()); return;                   // BINGET
      case 'j': memo_get(u32()); return;                  // LONG_BINGET
      case '(': marks_.push_back(stack_.size()); return;  // MARK
      case '}': push(make(Kind::Dict)); return;           // EMPTY_DICT
      case ']': push(make(Kind::List)); return;           // EMPTY_LIST
      case ')': push(make(Kind::Tuple)); return;          // EMPTY_TUPLE
      case 't': {                                         // TUPLE
        Obj* t = make(Kind::Tuple);
        t->items = pop_mark();
        push(t);
        return;
      }
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1, TUPLE2, TUPLE3
        const size_t n = op - 0x84u;
        Obj* t = make(Kind::Tuple);
        t->items.resize(n);
        for (size_t k = n; k-- > 0;) t->items[k] = pop();
        push(t);
        return;
      }
      case 'N': push(make(Kind::None)); return;  // NONE
      case 0x88:
      case 0x89: {  // NEWTRUE, NEWFALSE
        Obj* b = make(Kind::Bool);
        b->i = op == 0x88;
        push(b);
        return;
      }
      case 'K': push(make_int(u8())); return;                         // BININT1
      case 'M': push(make_int(u16())); return;                        // BININT2
      case 'J': push(make_int(static_cast<int32_t>(u32()))); return;  // BININT
      case 0x8a: {                                                    // LONG1
        const uint8_t n = u8();
        if (n > 8) fail("integer of " + std::to_string(n) + " bytes is too large");
        const uint8_t* p = take(n);
        uint64_t v = 0;
        for (size_t k = 0; k < n; ++k) v |= uint64_t{p[k]} << (8 * k);
        if (n > 0 && n < 8 && (p[n - 1] & 0x80)) v |= ~uint64_t{0} << (8 * n);  // sign-extend
        push(make_int(static_cast<int64_t>(v)));
        return;
      }
      case 'G': {  // BINFLOAT: big-endian IEEE double
        uint64_t v = 0;
        const uint8_t* p = take(8);
        for (size_t k = 0; k < 8; ++k) v = (v << 8) | p[k];
        Obj* o = make(Kind::Float);
        o->f = std::bit_cast<double>(v);
        push(o);
        return;
      }
      case 'X': push(make_str(u32())); return;         // BINUNICODE
      case 0x8c: push(make_str(u8())); return;         // SHORT_BINUNICODE
      case 'Q': push(persistent_load(pop())); return;  // BINPERSID
      case 'R': {                                      // REDUCE
        Obj* args = expect(pop(), Kind::Tuple, "REDUCE arguments");
        Obj* fn = expect(pop(), Kind::Callable, "REDUCE callable");
        push(reduce(fn->fn, args->items));
        return;
      }
      case 'b':  // BUILD: attribute state (an OrderedDict's _metadata), which we do not need
        pop();
        top();
        return;
      case 's': {  // SETITEM
        Obj* v = pop();
        Obj* k = pop();
        set_item(expect(top(), Kind::Dict, "SETITEM target"), k, v);
        return;
      }
      case 'u': {  // SETITEMS
        std::vector<Obj*> kv = pop_mark();
        if (kv.size() % 2) fail("SETITEMS with an odd number of items");
        Obj* d = expect(top(), Kind::Dict, "SETITEMS target");
        for (size_t k = 0; k < kv.size(); k += 2) set_item(d, kv[k], kv[k + 1]);
        return;
      }
      case 'a': {  // APPEND
        Obj* v = pop();
        expect(top(), Kind::List, "APPEND target")->items.push_back(v);
        return;
      }
      case 'e': {  // APPENDS
        std::vector<Obj*> vs = pop_mark();
        Obj* l = expect(top(), Kind::List, "APPENDS target");
        l->items.insert(l->items.end(), vs.begin(), vs.end());
        return;
      }
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        fail(std::string("unsupported pickle opcode ") + hex, "torch.save does not write it for a state dict");
      }
    }
  }

  Obj* global(std::string_view module, std::string_view name) {
    auto callable = [&](Fn fn) {
      Obj* o = make(Kind::Callable);
      o->fn = fn;
      return o;
    };
    if (module == "collections" && name == "OrderedDict") return callable(Fn::OrderedDict);
    if (module == "torch._utils" && name == "_rebuild_tensor_v2") return callable(Fn::RebuildTensorV2);
    if (module == "torch._utils" && name == "_rebuild_parameter") return callable(Fn::RebuildParameter);
    if (module == "torch" && name.size() <= kMaxShortString && name.ends_with("Storage")) {
      Obj* o = make(Kind::StorageType);
      o->s = name;  // whether we can read this element type is decided per tensor, to name it
      return o;
    }
    const std::string full =
        std::string(module.substr(0, kMaxShortString)) + "." + std::string(name.substr(0, kMaxShortString));
    fail("unsupported global " + full, "a state dict of tensors needs only torch's tensor rebuilders");
  }

  // torch.save's persistent id for a storage: ('storage', torch.XStorage, key, location, numel).
  Obj* persistent_load(Obj* pid) {
    expect(pid, Kind::Tuple, "persistent id");
    const auto& it = pid->items;
    if (it.size() != 5 || it[0]->kind != Kind::Str || it[0]->s != "storage")
      fail("persistent id is not a ('storage', type, key, location, size) tuple");
    Obj* s = make(Kind::Storage);
    s->ref = expect(it[1], Kind::StorageType, "storage type");
    s->s = expect(it[2], Kind::Str, "storage key")->s;
    if (s->s.empty() || s->s.size() > kMaxShortString || s->s.find('/') != std::string::npos)
      fail("storage key \"" + s->s.substr(0, kMaxShortString) + "\" is not a plain archive entry name");
    s->i = expect(it[4], Kind::Int, "storage size")->i;
    if (s->i < 0) fail("negative storage size");
    return s;
  }

  Obj* reduce(Fn fn, const std::vector<Obj*>& args) {
    switch (fn) {
      case Fn::OrderedDict:
        if (!args.empty()) fail("OrderedDict built with arguments");
        return make(Kind::Dict);
      case Fn::RebuildParameter:  // (data, requires_grad, backward_hooks): the tensor is all we keep
        if (args.size() != 3) fail("_rebuild_parameter takes 3 arguments");
        return expect(args[0], Kind::Tensor, "parameter data");
      case Fn::RebuildTensorV2: {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (args.size() != 6 && args.size() != 7) fail("_rebuild_tensor_v2 takes 6 or 7 arguments");
        Obj* t = make(Kind::Tensor);
        t->ref = expect(args[0], Kind::Storage, "tensor storage");
        t->i = expect(args[1], Kind::Int, "storage offset")->i;
        if (t->i < 0) fail("negative storage offset");
        const auto& size = expect(args[2], Kind::Tuple, "tensor size")->items;
        const auto& stride = expect(args[3], Kind::Tuple, "tensor stride")->items;
        if (size.size() != stride.size()) fail("tensor size and stride have different lengths");
        if (size.size() > kMaxDims) fail("tensor has " + std::to_string(size.size()) + " dimensions");
        for (size_t k = 0; k < size.size(); ++k) {
          t->size.push_back(expect(size[k], Kind::Int, "tensor dimension")->i);
          t->stride.push_back(expect(stride[k], Kind::Int, "tensor stride")->i);
          if (t->size.back() < 0) fail("negative tensor dimension");
        }
        return t;
      }
    }
    fail("unknown callable");
  }

  void set_item(Obj* dict, Obj* key, Obj* value) {
    if (key->kind != Kind::Str) {  // not a state dict key; kept only so the dict stays faithful
      dict->entries.emplace_back(key, value);
      return;
    }
    auto [it, fresh] = dict->str_index.emplace(key->s, dict->entries.size());
    if (fresh)
      dict->entries.emplace_back(key, value);
    else
      dict->entries[it->second].second = value;  // Python semantics: the last assignment wins
  }

  std::vector<PickledTensor> state_dict(Obj* root) {
    if (root->kind != Kind::Dict)
      fail(std::string("the pickle holds a ") + kind_name(root->kind) + ", not a state dict");
    std::vector<PickledTensor> out;
    out.reserve(root->entries.size());
    for (const auto& [k, v] : root->entries) {
      if (k->kind != Kind::Str) fail(std::string("state dict has a ") + kind_name(k->kind) + " key");
      if (v->kind != Kind::Tensor) fail("state dict entry " + k->s + " is a " + kind_name(v->kind) + ", not a tensor");
      const Obj* storage = v->ref;
      PickledTensor t;
      t.name = k->s;
      t.storage_type = storage->ref->s;
      t.storage_key = storage->s;
      t.storage_numel = storage->i;
      t.offset = v->i;
      t.size = v->size;
      t.stride = v->stride;
      out.push_back(std::move(t));
    }
    return out;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  size_t op_pos_ = 0;
  const std::string& what_;
  std::deque<Obj> arena_;  // owns every object; pointers into a deque stay valid as it grows
  std::vector<Obj*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Obj*> memo_;
};

}  // namespace

std::vector<PickledTensor> read_torch_state_dict_pickle(const uint8_t* data, size_t size, const std::string& what) {
  return Unpickler(data, size, what).run();
}

}  // namespace byt5
