#pragma once
// Telling "the database cannot be reached now" from "this statement is
// wrong": the first is answered 503 and retried, the second is a bug or bad
// input. Nothing here opens a connection.
#include <exception>

namespace cc::pg {

// True for a lost, refused or broken connection, a commit whose outcome the
// connection took with it, and the server shutting down, starting up or
// recovering (SQLSTATE classes 08 and 57P).
bool is_unavailable(const std::exception& error);

}  // namespace cc::pg
