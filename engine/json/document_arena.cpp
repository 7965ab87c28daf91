// engine/json/document_arena.cpp: the per-document bump allocator.
#include "engine/json/document_arena.h"

#include <cstdint>
#include <cstdlib>
#include <new>

namespace casex::detail {

DocumentArena::DocumentArena(std::size_t limit)
    : first_(new unsigned char[kFirstBlock]), limit_(limit) {
  reset();
}

DocumentArena::~DocumentArena() { reset(); }

void DocumentArena::reset() noexcept {
  while (blocks_) {
    Block* prev = blocks_->prev;
    std::free(blocks_);
    blocks_ = prev;
  }
  pos_ = first_.get();
  end_ = pos_ + kFirstBlock;
  next_ = 2 * kFirstBlock;
  heap_ = 0;
}

void* DocumentArena::do_allocate(std::size_t n, std::size_t align) {
  auto aligned = [align](unsigned char* p) {
    auto a = reinterpret_cast<std::uintptr_t>(p);
    return reinterpret_cast<unsigned char*>((a + align - 1) & ~(std::uintptr_t(align) - 1));
  };
  unsigned char* p = aligned(pos_);
  if (p <= end_ && static_cast<std::size_t>(end_ - p) >= n) {
    pos_ = p + n;
    return p;
  }
  // A new block: the doubling size, or the request's own when larger.
  std::size_t need = n + align + sizeof(Block);
  std::size_t size = need > next_ ? need : next_;
  if (size > limit_ || heap_ > limit_ - size) throw DocumentMemoryExceeded();
  auto* b = static_cast<Block*>(std::malloc(size));
  if (!b) throw std::bad_alloc();
  b->prev = blocks_;
  blocks_ = b;
  heap_ += size;
  if (next_ < kMaxBlock) next_ *= 2;
  unsigned char* start = reinterpret_cast<unsigned char*>(b) + sizeof(Block);
  end_ = reinterpret_cast<unsigned char*>(b) + size;
  p = aligned(start);
  pos_ = p + n;
  return p;
}

}  // namespace casex::detail
