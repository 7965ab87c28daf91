// engine/json/document_arena.h: the memory of one JSON document's DOM, reused
// from one document to the next and returned to its first state in between.
#pragma once

#include <boost/json/memory_resource.hpp>
#include <cstddef>
#include <exception>
#include <memory>

namespace casex::detail {

/// Thrown by DocumentArena when one document needs more than its limit.
struct DocumentMemoryExceeded : std::exception {
  const char* what() const noexcept override {
    return "the document needs more memory than its limit";
  }
};

/// A bump allocator for one document at a time: a first block kept for the
/// evaluator's whole life, then heap blocks that double up to kMaxBlock and
/// grow no further. reset() frees the heap blocks and starts the next
/// document exactly as the first one started, so what the arena holds after
/// N documents depends on the largest of them, never on N. The heap bytes of
/// one document are capped at `limit`: past it do_allocate throws
/// DocumentMemoryExceeded, which the evaluator answers with that document's error.
class DocumentArena final : public boost::json::memory_resource {
 public:
  static constexpr std::size_t kFirstBlock = 64 * 1024;
  static constexpr std::size_t kMaxBlock = 1024 * 1024;

  explicit DocumentArena(std::size_t limit);
  ~DocumentArena() override;
  DocumentArena(const DocumentArena&) = delete;
  DocumentArena& operator=(const DocumentArena&) = delete;

  /// Frees every heap block; the next allocation starts in the first block.
  void reset() noexcept;
  /// Heap bytes the current document took beyond the first block.
  std::size_t heap_bytes() const noexcept { return heap_; }
  std::size_t limit() const noexcept { return limit_; }

 private:
  struct Block {
    Block* prev;
  };
  void* do_allocate(std::size_t n, std::size_t align) override;
  void do_deallocate(void*, std::size_t, std::size_t) override {}
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }

  std::unique_ptr<unsigned char[]> first_;
  unsigned char* pos_ = nullptr;
  unsigned char* end_ = nullptr;
  Block* blocks_ = nullptr;  // heap blocks of the current document, newest first
  std::size_t next_ = 0;     // size of the next heap block
  std::size_t heap_ = 0;     // heap bytes of the current document
  std::size_t limit_;
};

}  // namespace casex::detail

template <>
struct boost::json::is_deallocate_trivial<casex::detail::DocumentArena> : std::true_type {};
