#pragma once
// The bytes of a write-model snapshot (command-service/snapshot.hpp): fixed
// width integers in the machine's byte order, texts length-prefixed. A
// snapshot is read only by the build that can write it (its header names the
// format and the layout), so it needs no portability beyond that.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "platform/core/uuid.hpp"

namespace cc::command::snapshot {

class Out {
  public:
    template <class T>
    void fixed(T value) {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    void uuid(const Uuid& id) {
        bytes_.append(reinterpret_cast<const char*>(id.bytes().data()), 16);
    }
    void text(std::string_view value) {
        fixed(static_cast<std::uint32_t>(value.size()));
        bytes_.append(value);
    }
    void optional_text(const std::optional<std::string>& value) {
        fixed(static_cast<std::uint8_t>(value.has_value()));
        if (value) text(*value);
    }
    std::string& bytes() { return bytes_; }

  private:
    std::string bytes_;
};

// Reads what Out wrote; any read past the end leaves it failed (and reads
// zeros), so a truncated or damaged snapshot is refused, never trusted.
class In {
  public:
    explicit In(std::string_view bytes) : bytes_(bytes) {}
    template <class T>
    T fixed() {
        T value{};
        if (!take(sizeof value)) return value;
        std::memcpy(&value, bytes_.data() + at_ - sizeof value, sizeof value);
        return value;
    }
    Uuid uuid() {
        std::array<std::uint8_t, 16> bytes{};
        if (take(16)) std::memcpy(bytes.data(), bytes_.data() + at_ - 16, 16);
        return Uuid(bytes);
    }
    std::string text() {
        const auto size = fixed<std::uint32_t>();
        if (!take(size)) return {};
        return std::string(bytes_.substr(at_ - size, size));
    }
    std::optional<std::string> optional_text() {
        if (fixed<std::uint8_t>() == 0) return std::nullopt;
        return text();
    }
    // A count of items each at least `min_size` bytes long: one the rest of
    // the bytes cannot hold fails the read rather than a huge allocation.
    std::uint64_t count(std::size_t min_size) {
        const auto n = fixed<std::uint64_t>();
        if (ok_ && n > (bytes_.size() - at_) / std::max<std::size_t>(min_size, 1)) ok_ = false;
        return ok_ ? n : 0;
    }
    void fail() { ok_ = false; }
    bool ok() const { return ok_; }
    bool at_end() const { return at_ == bytes_.size(); }

  private:
    bool take(std::size_t n) {
        if (!ok_ || n > bytes_.size() - at_) {
            ok_ = false;
            return false;
        }
        at_ += n;
        return true;
    }
    std::string_view bytes_;
    std::size_t at_ = 0;
    bool ok_ = true;
};

}  // namespace cc::command::snapshot
