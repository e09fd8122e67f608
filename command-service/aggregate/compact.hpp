#pragma once
// The two containers that keep the write model small (README, "The write
// model is compact"): a text of up to 15 bytes held inline in 16, and an
// open-addressing index of unique-key fingerprints, 24 bytes an entry with no
// node or bucket of its own.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "platform/core/uuid.hpp"

namespace cc::aggregate {

// A kept-fields text: inline up to 15 bytes (an NHS number, a state, a
// short name), on the heap beyond.
class CompactText {
  public:
    CompactText() { clear_inline(); }
    explicit CompactText(std::string_view text) { set(text); }
    CompactText(const CompactText& other) { set(other.view()); }
    CompactText(CompactText&& other) noexcept {
        std::memcpy(bytes_, other.bytes_, sizeof bytes_);
        other.clear_inline();
    }
    CompactText& operator=(const CompactText& other) {
        if (this != &other) {
            release();
            set(other.view());
        }
        return *this;
    }
    CompactText& operator=(CompactText&& other) noexcept {
        if (this != &other) {
            release();
            std::memcpy(bytes_, other.bytes_, sizeof bytes_);
            other.clear_inline();
        }
        return *this;
    }
    CompactText& operator=(std::string_view text) {
        release();
        set(text);
        return *this;
    }
    ~CompactText() { release(); }

    std::string_view view() const {
        if (!on_heap()) return {bytes_, static_cast<std::size_t>(tag())};
        return {heap_data(), heap_size()};
    }
    bool operator==(const CompactText& other) const { return view() == other.view(); }

  private:
    static constexpr unsigned char kHeap = 0xff;
    unsigned char tag() const { return static_cast<unsigned char>(bytes_[15]); }
    bool on_heap() const { return tag() == kHeap; }
    char* heap_data() const {
        char* data;
        std::memcpy(&data, bytes_, sizeof data);
        return data;
    }
    std::uint32_t heap_size() const {
        std::uint32_t size;
        std::memcpy(&size, bytes_ + 8, sizeof size);
        return size;
    }
    void clear_inline() { std::memset(bytes_, 0, sizeof bytes_); }
    void set(std::string_view text) {
        if (text.size() < 16) {
            clear_inline();
            std::memcpy(bytes_, text.data(), text.size());
            bytes_[15] = static_cast<char>(text.size());
            return;
        }
        char* data = new char[text.size()];
        std::memcpy(data, text.data(), text.size());
        const auto size = static_cast<std::uint32_t>(text.size());
        std::memcpy(bytes_, &data, sizeof data);
        std::memcpy(bytes_ + 8, &size, sizeof size);
        bytes_[15] = static_cast<char>(kHeap);
    }
    void release() {
        if (on_heap()) delete[] heap_data();
        clear_inline();
    }

    char bytes_[16];
};

// Unique-key fingerprints to their holders, several holders per fingerprint
// allowed (a collision, checked by the store against the holder's values).
// Linear probing; a fingerprint of 0 is stored as 1, 0 marking a free slot.
class FingerprintIndex {
  public:
    struct Entry {
        std::uint64_t fingerprint = 0;
        Uuid holder;
    };

    static std::uint64_t stored(std::uint64_t fingerprint) {
        return fingerprint == 0 ? 1 : fingerprint;
    }

    // Calls `visit(Uuid& holder)` for each holder of `fingerprint` until it
    // returns true; whether one did.
    template <class Visit>
    bool find(std::uint64_t fingerprint, Visit&& visit) {
        return find_slot(stored(fingerprint), visit) != npos;
    }
    template <class Visit>
    bool find(std::uint64_t fingerprint, Visit&& visit) const {
        return const_cast<FingerprintIndex*>(this)->find(
            fingerprint, [&](Uuid& holder) { return visit(static_cast<const Uuid&>(holder)); });
    }
    void insert(std::uint64_t fingerprint, const Uuid& holder) {
        if ((size_ + 1) * 8 > slots_.size() * 7) grow();
        auto i = home(stored(fingerprint));
        while (slots_[i].fingerprint != 0) i = (i + 1) & mask();
        slots_[i] = Entry{stored(fingerprint), holder};
        ++size_;
    }
    // Removes `holder`'s entry under `fingerprint`, if there is one.
    void erase(std::uint64_t fingerprint, const Uuid& holder) {
        auto i = find_slot(stored(fingerprint), [&](Uuid& h) { return h == holder; });
        if (i == npos) return;
        // Backward-shift deletion: later entries of the probe run move up,
        // so a lookup never stops early at the freed slot.
        for (auto j = (i + 1) & mask(); slots_[j].fingerprint != 0; j = (j + 1) & mask()) {
            const auto k = home(slots_[j].fingerprint);
            const bool movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
            if (movable) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = Entry{};
        --size_;
    }
    void clear() {
        slots_.clear();
        size_ = 0;
    }
    void reserve(std::size_t entries) {
        while (slots_.size() * 7 < entries * 8) grow();
    }
    std::size_t size() const { return size_; }
    // Every entry, in slot order.
    template <class Visit>
    void each(Visit&& visit) const {
        for (const auto& slot : slots_)
            if (slot.fingerprint != 0) visit(slot);
    }

  private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::size_t mask() const { return slots_.size() - 1; }
    std::size_t home(std::uint64_t fingerprint) const {
        return static_cast<std::size_t>((fingerprint * 0x9e3779b97f4a7c15ULL) >> 17) & mask();
    }
    template <class Visit>
    std::size_t find_slot(std::uint64_t fingerprint, Visit&& visit) {
        if (slots_.empty()) return npos;
        for (auto i = home(fingerprint); slots_[i].fingerprint != 0; i = (i + 1) & mask()) {
            if (slots_[i].fingerprint == fingerprint && visit(slots_[i].holder)) return i;
        }
        return npos;
    }
    void grow() {
        std::vector<Entry> old(std::max<std::size_t>(16, slots_.size() * 2));
        old.swap(slots_);
        size_ = 0;
        for (const auto& slot : old) {
            if (slot.fingerprint == 0) continue;
            auto i = home(slot.fingerprint);
            while (slots_[i].fingerprint != 0) i = (i + 1) & mask();
            slots_[i] = slot;
            ++size_;
        }
    }

    std::vector<Entry> slots_;
    std::size_t size_ = 0;
};

}  // namespace cc::aggregate
