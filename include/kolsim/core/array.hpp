// SPDX-License-Identifier: MIT
/// ConstArray<T>: the read-only contiguous array behind the graph's CSR arrays and probabilities,
/// either owning a std::vector<T> moved into it or viewing memory kept alive by a shared owner
/// (e.g. the memory map of a snapshot), so a loaded graph can use a file's bytes in place.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace kolsim {

/// Read-only memory whose resident pages can be dropped and read back on demand: a private,
/// read-only memory map of a file (the pages stay in the page cache; a later read is a minor
/// fault). Arrays viewing such memory can release their pages (ConstArray::release_pages).
class ReleasableMemory {
 public:
  virtual ~ReleasableMemory() = default;
  /// Drops the resident pages of [p, p + bytes) that lie in this memory (pages only partly in
  /// the range included; nothing outside the memory is touched). The bytes read afterwards are
  /// the same: they come back from the file.
  virtual void release(const void* p, std::size_t bytes) const noexcept = 0;
};

/// A read-only array of T. Built from a std::vector<T> (moved in, never copied) or as a view of
/// `size` elements at `data` whose memory `owner` keeps alive. Copies are cheap and share the
/// elements (they are never written after construction). The read interface is the one of a
/// const std::vector: size, empty, data, operator[], begin/end, front/back, and a span.
template <class T>
class ConstArray {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using const_iterator = const T*;
  using iterator = const T*;
  using const_reference = const T&;

  /// The empty array.
  ConstArray() noexcept = default;
  /// Takes over a vector's buffer (no element is copied).
  ConstArray(std::vector<T> v)  // NOLINT(google-explicit-constructor): moved in like a vector
      : size_(v.size()) {
    if (v.empty()) return;
    owned_bytes_ = v.capacity() * sizeof(T);
    auto p = std::make_shared<const std::vector<T>>(std::move(v));
    data_ = p->data();
    owner_ = std::move(p);
  }
  ConstArray(std::initializer_list<T> values) : ConstArray(std::vector<T>(values)) {}
  /// A view of `size` elements at `data`, valid while `owner` lives (no ownership of the elements).
  ConstArray(std::shared_ptr<const void> owner, const T* data, std::size_t size) noexcept
      : owner_(std::move(owner)), data_(size ? data : nullptr), size_(size), view_(true) {}
  /// A view of `size` elements at `data` inside releasable memory (a file map) kept alive by
  /// `owner`: like the view above, and release_pages() drops its resident pages.
  static ConstArray mapped(std::shared_ptr<const ReleasableMemory> owner, const T* data, std::size_t size) noexcept {
    const ReleasableMemory* memory = owner.get();
    ConstArray a(std::shared_ptr<const void>(std::move(owner)), data, size);
    a.releasable_ = memory;
    return a;
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const T* data() const noexcept { return data_; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }
  const T& front() const noexcept { return data_[0]; }
  const T& back() const noexcept { return data_[size_ - 1]; }
  std::span<const T> span() const noexcept { return {data_, size_}; }
  operator std::span<const T>() const noexcept { return span(); }  // NOLINT(google-explicit-constructor)

  /// True when the elements live in memory owned by someone else (a view, e.g. a file map).
  bool is_view() const noexcept { return view_; }
  /// The object keeping the elements alive (null for an empty owning array).
  const std::shared_ptr<const void>& owner() const noexcept { return owner_; }
  /// Bytes of heap memory this array owns (the vector's capacity; 0 for a view).
  std::size_t owned_bytes() const noexcept { return view_ ? 0 : owned_bytes_; }
  /// A copy of the elements as a std::vector (for callers that need to modify them).
  std::vector<T> to_vector() const { return std::vector<T>(begin(), end()); }
  /// Drops the resident pages of the elements when they view releasable memory (a snapshot's
  /// memory map): the elements stay readable and unchanged (a later read faults them back in
  /// from the page cache). A no-op for owned arrays and other views.
  void release_pages() const noexcept {
    if (releasable_ != nullptr && size_ != 0) releasable_->release(data_, size_ * sizeof(T));
  }

 private:
  std::shared_ptr<const void> owner_;
  const T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t owned_bytes_ = 0;
  bool view_ = false;
  const ReleasableMemory* releasable_ = nullptr;  ///< kept alive by owner_ (mapped views only)
};

}  // namespace kolsim
