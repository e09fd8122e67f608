#include "model/formats.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "platform/core/uuid.hpp"

namespace cc::model {
namespace {

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

bool is_email(std::string_view v) {
    const auto at = v.find('@');
    if (at == std::string_view::npos || at == 0 || v.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    const auto local = v.substr(0, at);
    const auto domain = v.substr(at + 1);
    if (local.size() > 64 || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : local) {
        if (!is_alnum(c) &&
            std::string_view("!#$%&'*+/=?^_`{|}~.-").find(c) == std::string_view::npos) {
            return false;
        }
    }
    return domain.find('.') != std::string_view::npos && is_hostname(domain);
}

bool is_slug(std::string_view v) {
    if (v.empty() || v.front() == '-' || v.back() == '-') return false;
    char previous = 0;
    for (char c : v) {
        if (c == '-' && previous == '-') return false;
        if (c != '-' && !is_lower_alnum(c)) return false;
        previous = c;
    }
    return true;
}

bool is_hex_colour(std::string_view v) {
    return v.size() == 7 && v[0] == '#' && std::all_of(v.begin() + 1, v.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) != 0;
           });
}

bool is_hostname(std::string_view v) {
    if (v.empty() || v.size() > 253) return false;
    std::size_t start = 0;
    while (start <= v.size()) {
        const auto dot = v.find('.', start);
        const auto label = v.substr(start, dot == std::string_view::npos ? v.npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label)
            if (!is_alnum(c) && c != '-') return false;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return true;
}

bool is_http_url(std::string_view v) {
    std::string_view rest;
    if (v.rfind("https://", 0) == 0) {
        rest = v.substr(8);
    } else if (v.rfind("http://", 0) == 0) {
        rest = v.substr(7);
    } else {
        return false;
    }
    const auto host_end = rest.find_first_of("/?#");
    auto host = rest.substr(0, host_end);
    if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
        const auto port = host.substr(colon + 1);
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return false;
        }
        host = host.substr(0, colon);
    }
    if (!is_hostname(host)) return false;
    return std::none_of(v.begin(), v.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '<' || c == '>';
    });
}

bool is_iso_date(std::string_view v) {
    if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (v[i] < '0' || v[i] > '9') return false;
    const int year = std::stoi(std::string(v.substr(0, 4)));
    const int month = std::stoi(std::string(v.substr(5, 2)));
    const int day = std::stoi(std::string(v.substr(8, 2)));
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1800 || month < 1 || month > 12 || day < 1) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool is_nhs_number(std::string_view d) {
    if (d.size() != 10 ||
        !std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    if (std::all_of(d.begin(), d.end(), [&](char c) { return c == d[0]; })) return false;
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (d[static_cast<std::size_t>(i)] - '0') * (10 - i);
    int check = 11 - (sum % 11);
    if (check == 11) check = 0;
    if (check == 10) return false;
    return check == d[9] - '0';
}

bool is_uk_phone(std::string_view v) {
    std::string digits;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        if (c >= '0' && c <= '9') {
            digits.push_back(c);
        } else if (c == '+' && i == 0) {
            digits.push_back(c);
        } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
            return false;
        }
    }
    if (digits.rfind("+44", 0) == 0) return digits.size() == 13 && digits[3] != '0';
    return digits.size() >= 10 && digits.size() <= 11 && digits[0] == '0';
}

bool is_licence_number(std::string_view v) {
    return std::all_of(v.begin(), v.end(),
                       [](char c) { return is_alnum(c) || c == ' ' || c == '-' || c == '/'; });
}

bool is_uuid(std::string_view value) {
    return Uuid::parse(value).has_value();
}

std::size_t utf8_length(std::string_view value) {
    return static_cast<std::size_t>(std::count_if(value.begin(), value.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

}  // namespace cc::model
