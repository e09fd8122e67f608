#pragma once
// The product's formats as JSON Schema patterns, for the generated contracts.
// Each mirrors a format function in formats.hpp; the contract test checks
// sample values against both.
#include <string_view>

namespace cc::model::patterns {

inline constexpr std::string_view kEmail = R"(^[^A-Z\s]+@[^A-Z\s@]+$)";
inline constexpr std::string_view kUkPhone =
    R"(^(\+[ ()-]*4[ ()-]*4[ ()-]*[1-9]([ ()-]*[0-9]){9}|[ ()-]*0([ ()-]*[0-9]){9,10})[ ()-]*$)";
inline constexpr std::string_view kLicence = R"(^[A-Za-z0-9/-]([A-Za-z0-9 /-]*[A-Za-z0-9/-])?$)";
inline constexpr std::string_view kNhsNumber = R"(^[0-9]{10}$)";
inline constexpr std::string_view kSlug = R"(^[a-z0-9]+(-[a-z0-9]+)*$)";
inline constexpr std::string_view kHttpUrl = R"(^[Hh][Tt][Tt][Pp][Ss]?://[^\s]+$)";
inline constexpr std::string_view kHexColour = R"(^#[0-9a-fA-F]{6}$)";
inline constexpr std::string_view kHostname =
    R"(^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$)";

}  // namespace cc::model::patterns
