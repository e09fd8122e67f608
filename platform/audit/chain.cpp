#include "platform/audit/chain.hpp"

#include <algorithm>
#include <unordered_map>

#include "platform/core/hash.hpp"
#include "platform/core/uuid.hpp"

namespace cc::audit {
namespace {

Error not_json(std::string why) {
    return Error::make(ErrorKind::malformed, "not-json", "details are not JSON: " + std::move(why));
}

void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

// A string's characters, decoded, re-escaped the one canonical way.
void append_escaped(std::string& out, std::string_view decoded) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char c : decoded) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (byte < 0x20) {
                    out += "\\u00";
                    out += kHex[byte >> 4];
                    out += kHex[byte & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

// Recursive descent over RFC 8259 JSON, writing the canonical form.
class Canonicaliser {
  public:
    explicit Canonicaliser(std::string_view text) : text_(text) {}

    Result<std::string> run() {
        std::string out;
        if (auto value = parse_value(out, 0); !value) return std::move(value).error();
        skip_space();
        if (at_ < text_.size()) return not_json("text after the value");
        return out;
    }

  private:
    // Deeper than any audit row's details; bounds the recursion.
    static constexpr int kMostDepth = 256;

    void skip_space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                      text_[at_] == '\n' || text_[at_] == '\r'))
            ++at_;
    }

    Result<void> parse_value(std::string& out, int depth) {
        if (depth > kMostDepth) return not_json("nested too deeply");
        skip_space();
        if (at_ >= text_.size()) return not_json("unexpected end");
        const char c = text_[at_];
        if (c == '{') return parse_object(out, depth);
        if (c == '[') return parse_array(out, depth);
        if (c == '"') {
            auto decoded = parse_string();
            if (!decoded) return std::move(decoded).error();
            append_escaped(out, *decoded);
            return {};
        }
        for (const std::string_view literal : {"true", "false", "null"}) {
            if (text_.substr(at_, literal.size()) == literal) {
                out += literal;
                at_ += literal.size();
                return {};
            }
        }
        return parse_number(out);
    }

    Result<void> parse_object(std::string& out, int depth) {
        ++at_;
        std::vector<std::pair<std::string, std::string>> members;
        skip_space();
        if (at_ < text_.size() && text_[at_] == '}') {
            ++at_;
        } else {
            for (;;) {
                skip_space();
                if (at_ >= text_.size() || text_[at_] != '"') return not_json("expected a key");
                auto key = parse_string();
                if (!key) return std::move(key).error();
                skip_space();
                if (at_ >= text_.size() || text_[at_] != ':') return not_json("expected ':'");
                ++at_;
                std::string value;
                if (auto parsed = parse_value(value, depth + 1); !parsed)
                    return std::move(parsed).error();
                members.emplace_back(std::move(*key), std::move(value));
                skip_space();
                if (at_ < text_.size() && text_[at_] == ',') {
                    ++at_;
                    continue;
                }
                if (at_ < text_.size() && text_[at_] == '}') {
                    ++at_;
                    break;
                }
                return not_json("expected ',' or '}'");
            }
        }
        // std::string compares as unsigned bytes: UTF-8 byte order.
        std::sort(members.begin(), members.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (std::size_t i = 1; i < members.size(); ++i) {
            if (members[i].first == members[i - 1].first)
                return not_json("duplicate key " + members[i].first);
        }
        out += '{';
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (i > 0) out += ',';
            append_escaped(out, members[i].first);
            out += ':';
            out += members[i].second;
        }
        out += '}';
        return {};
    }

    Result<void> parse_array(std::string& out, int depth) {
        ++at_;
        out += '[';
        skip_space();
        if (at_ < text_.size() && text_[at_] == ']') {
            ++at_;
            out += ']';
            return {};
        }
        for (bool first = true;; first = false) {
            if (!first) out += ',';
            if (auto parsed = parse_value(out, depth + 1); !parsed)
                return std::move(parsed).error();
            skip_space();
            if (at_ < text_.size() && text_[at_] == ',') {
                ++at_;
                continue;
            }
            if (at_ < text_.size() && text_[at_] == ']') {
                ++at_;
                out += ']';
                return {};
            }
            return not_json("expected ',' or ']'");
        }
    }

    Result<std::uint32_t> parse_hex4() {
        if (at_ + 4 > text_.size()) return not_json("short \\u escape");
        std::uint32_t code = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = text_[at_++];
            code <<= 4;
            if (h >= '0' && h <= '9')
                code |= static_cast<std::uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
                code |= static_cast<std::uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                code |= static_cast<std::uint32_t>(h - 'A' + 10);
            else
                return not_json("bad \\u escape");
        }
        return code;
    }

    // Validates one UTF-8 sequence starting at at_ and copies it.
    Result<void> copy_utf8(std::string& out) {
        const auto lead = static_cast<unsigned char>(text_[at_]);
        std::size_t length = 0;
        std::uint32_t code = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
            code = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            code = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            code = lead & 0x07;
        } else {
            return not_json("invalid UTF-8");
        }
        if (at_ + length > text_.size()) return not_json("invalid UTF-8");
        for (std::size_t i = 1; i < length; ++i) {
            const auto next = static_cast<unsigned char>(text_[at_ + i]);
            if ((next & 0xC0) != 0x80) return not_json("invalid UTF-8");
            code = (code << 6) | (next & 0x3F);
        }
        const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
        if (overlong || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return not_json("invalid UTF-8");
        out.append(text_.substr(at_, length));
        at_ += length;
        return {};
    }

    Result<std::string> parse_string() {
        ++at_;
        std::string decoded;
        for (;;) {
            if (at_ >= text_.size()) return not_json("unterminated string");
            const char c = text_[at_];
            if (c == '"') {
                ++at_;
                return decoded;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return not_json("control character in string");
            if (static_cast<unsigned char>(c) >= 0x80) {
                if (auto copied = copy_utf8(decoded); !copied) return std::move(copied).error();
                continue;
            }
            ++at_;
            if (c != '\\') {
                decoded += c;
                continue;
            }
            if (at_ >= text_.size()) return not_json("unterminated escape");
            const char escaped = text_[at_++];
            switch (escaped) {
                case '"':
                    decoded += '"';
                    break;
                case '\\':
                    decoded += '\\';
                    break;
                case '/':
                    decoded += '/';
                    break;
                case 'b':
                    decoded += '\b';
                    break;
                case 'f':
                    decoded += '\f';
                    break;
                case 'n':
                    decoded += '\n';
                    break;
                case 'r':
                    decoded += '\r';
                    break;
                case 't':
                    decoded += '\t';
                    break;
                case 'u': {
                    auto code = parse_hex4();
                    if (!code) return std::move(code).error();
                    std::uint32_t point = *code;
                    if (point >= 0xD800 && point <= 0xDBFF) {
                        if (text_.substr(at_, 2) != "\\u") return not_json("unpaired surrogate");
                        at_ += 2;
                        auto low = parse_hex4();
                        if (!low) return std::move(low).error();
                        if (*low < 0xDC00 || *low > 0xDFFF) return not_json("unpaired surrogate");
                        point = 0x10000 + ((point - 0xD800) << 10) + (*low - 0xDC00);
                    } else if (point >= 0xDC00 && point <= 0xDFFF) {
                        return not_json("unpaired surrogate");
                    }
                    append_utf8(decoded, point);
                    break;
                }
                default:
                    return not_json("bad escape");
            }
        }
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, copied as written.
    Result<void> parse_number(std::string& out) {
        const auto start = at_;
        const auto digits = [&] {
            const auto from = at_;
            while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
            return at_ - from;
        };
        if (at_ < text_.size() && text_[at_] == '-') ++at_;
        if (at_ < text_.size() && text_[at_] == '0') {
            ++at_;
        } else if (digits() == 0) {
            return not_json("unexpected character");
        }
        if (at_ < text_.size() && text_[at_] == '.') {
            ++at_;
            if (digits() == 0) return not_json("bad number");
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
            if (digits() == 0) return not_json("bad number");
        }
        out.append(text_.substr(start, at_ - start));
        return {};
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

void append_member(std::string& out, std::string_view key,
                   const std::optional<std::string>& value) {
    if (out.size() > 1) out += ',';
    append_escaped(out, key);
    out += ':';
    if (value)
        append_escaped(out, *value);
    else
        out += "null";
}

}  // namespace

std::string chain_stream(std::string_view stream, std::string_view tenant_id, int partition) {
    if (tenant_id != kPlatformTenant.to_string()) return std::string(stream);
    return std::string(stream) + ".p" + std::to_string(partition);
}

std::optional<int> chain_partition(std::string_view stream) {
    const auto at = stream.rfind(".p");
    if (at == std::string_view::npos || at + 2 == stream.size()) return std::nullopt;
    int partition = 0;
    for (const char c : stream.substr(at + 2)) {
        if (c < '0' || c > '9' || partition > 100'000) return std::nullopt;
        partition = partition * 10 + (c - '0');
    }
    return partition;
}

std::string_view chain_base(std::string_view stream) {
    return chain_partition(stream) ? stream.substr(0, stream.rfind(".p")) : stream;
}

Result<std::string> canonical_json(std::string_view json) {
    return Canonicaliser(json).run();
}

Result<std::string> canonical_content(const AuditRow& row) {
    std::optional<std::string> details;
    if (row.details) {
        auto canonical = canonical_json(*row.details);
        if (!canonical) return std::move(canonical).error();
        details = std::move(*canonical);
    }
    // The members in key order, written out so that no map is needed.
    std::string out = "{";
    append_member(out, "action", row.action);
    append_member(out, "created_at", row.created_at);
    out += ",\"details\":";
    out += details ? *details : "null";
    append_member(out, "entity_id", row.entity_id);
    append_member(out, "entity_type", row.entity_type);
    append_member(out, "id", row.id);
    append_member(out, "ip_address", row.ip_address);
    append_member(out, "tenant_id", row.tenant_id);
    append_member(out, "user_agent", row.user_agent);
    append_member(out, "user_id", row.user_id);
    out += '}';
    return out;
}

std::string link_hash(std::string_view prev_hash, std::string_view canonical_content) {
    Sha256 hasher;
    hasher.update(prev_hash);
    hasher.update(canonical_content);
    return hasher.hex();
}

Result<std::vector<Link>> extend(Heads& heads, std::span<const Chained> rows) {
    std::vector<Link> links;
    links.reserve(rows.size());
    for (const auto& chained : rows) {
        auto content = canonical_content(chained.row);
        if (!content) return std::move(content).error();
        auto& head = heads[{chained.row.tenant_id, chained.stream}];
        Link link{chained.row.id, chained.row.tenant_id, chained.stream,
                  head.seq + 1,   head.row_hash,         link_hash(head.row_hash, *content)};
        head = Head{link.seq, link.row_hash};
        links.push_back(std::move(link));
    }
    return links;
}

std::string_view to_string(Tampering kind) {
    switch (kind) {
        case Tampering::edited:
            return "edited";
        case Tampering::deleted:
            return "deleted";
        case Tampering::reordered:
            return "reordered";
        case Tampering::inserted:
            return "inserted";
        case Tampering::link_altered:
            return "link_altered";
        case Tampering::unlinked:
            return "unlinked";
        case Tampering::log_mismatch:
            return "log_mismatch";
        case Tampering::not_in_log:
            return "not_in_log";
        case Tampering::missing_row:
            return "missing_row";
        case Tampering::head_mismatch:
            return "head_mismatch";
    }
    return "unknown";
}

std::optional<Break> verify_chain(std::span<const ChainEntry> entries) {
    if (entries.empty()) return std::nullopt;
    // Which links claim to follow a given row hash: a fork or a displaced
    // successor tells an insertion or a reordering from other breaks.
    std::unordered_multimap<std::string, std::size_t> following;
    for (std::size_t i = 0; i < entries.size(); ++i)
        following.emplace(entries[i].link.prev_hash, i);
    const auto& first = entries.front().link;
    const auto broken = [&](Tampering kind, const Link& link, std::string detail) {
        return Break{kind,     first.tenant_id,   first.stream,
                     link.seq, link.audit_log_id, std::move(detail)};
    };
    const auto seq_text = [](std::int64_t seq) { return "seq " + std::to_string(seq); };
    std::int64_t expected_seq = 1;
    std::string expected_prev(kGenesisHash);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& link = entries[i].link;
        if (link.seq != expected_seq) {
            return broken(
                Tampering::deleted, link,
                "links " + seq_text(expected_seq) +
                    (link.seq - 1 > expected_seq ? " to " + std::to_string(link.seq - 1) : "") +
                    " are missing before " + seq_text(link.seq) + ": rows were deleted");
        }
        if (link.prev_hash != expected_prev) {
            if (i > 0 && link.prev_hash == entries[i - 1].link.prev_hash) {
                // Two links follow the same row; the one nothing follows was
                // put in between (the genuine one's successor names it).
                const bool earlier_is_forged = following.count(entries[i - 1].link.row_hash) == 0;
                const auto& forged = earlier_is_forged ? entries[i - 1].link : link;
                return broken(Tampering::inserted, forged,
                              seq_text(entries[i - 1].link.seq) + " and " + seq_text(link.seq) +
                                  " both follow the row before them: " + seq_text(forged.seq) +
                                  " (row " + forged.audit_log_id + ") was inserted");
            }
            for (auto [at, end] = following.equal_range(expected_prev); at != end; ++at) {
                if (at->second == i) continue;
                const auto& displaced = entries[at->second].link;
                return broken(Tampering::reordered, link,
                              "the row that follows " + seq_text(expected_seq - 1) + " (row " +
                                  displaced.audit_log_id + ") is at " + seq_text(displaced.seq) +
                                  ": rows were reordered");
            }
            return broken(Tampering::link_altered, link,
                          seq_text(link.seq) + " does not follow " + seq_text(expected_seq - 1) +
                              ": its prev_hash matches no row before it (the row before it or "
                              "this link was rewritten)");
        }
        if (!entries[i].row) {
            return broken(Tampering::deleted, link,
                          "the row of " + seq_text(link.seq) + " (" + link.audit_log_id +
                              ") is missing: it was deleted");
        }
        auto content = canonical_content(*entries[i].row);
        if (!content) return broken(Tampering::edited, link, content.error().detail);
        if (link_hash(link.prev_hash, *content) != link.row_hash) {
            // A row moved to another link fits that link's hash.
            for (std::size_t j = 0; j < entries.size(); ++j) {
                if (j == i) continue;
                const auto& other = entries[j].link;
                if (link_hash(other.prev_hash, *content) == other.row_hash) {
                    return broken(Tampering::reordered, link,
                                  "the row at " + seq_text(link.seq) + " (" + link.audit_log_id +
                                      ") belongs at " + seq_text(other.seq) +
                                      ": rows were reordered");
                }
            }
            return broken(Tampering::edited, link,
                          "the row at " + seq_text(link.seq) + " (" + link.audit_log_id +
                              ") does not match its hash: it was edited");
        }
        expected_prev = link.row_hash;
        ++expected_seq;
    }
    return std::nullopt;
}

}  // namespace cc::audit
