#pragma once
#include "model/description.hpp"

namespace cc::model {

extern const Aggregate& kInvoice;

// The shape of a server-allocated invoice number: "INV-" and at least six
// digits. Numbers of this shape belong to the tenant's gapless sequence, so
// a client may not choose one (command-service/aggregate/invoice_rules.cpp).
inline constexpr std::string_view kInvoiceNumberPrefix = "INV-";
inline constexpr int kInvoiceNumberDigits = 6;

}  // namespace cc::model
