// Command bodies of every aggregate, through validation and the generic
// deciders (create, PATCH, PUT by a key, lifecycle actions; a document's
// upload, raw or multipart, through its reading and examination).
//
// An input is one line naming the step, then the body:
//   <aggregate> <step>[ <content type>]\n<body>
// where <step> is create, patch, put or an action's name, and the content
// type (uploads only) is the request's. The write model holds a live tenant
// with one item of every aggregate, so patches and actions find what they
// name and references resolve.
//
// Properties: a body naming a key twice is refused; what validation accepts
// has only client fields, the required ones set, and validates again to
// itself (normalising is idempotent); every event a decider emits matches
// its published JSON Schemas, reads back through the envelope unchanged,
// and folds into the write model; an accepted upload's bytes are a part of
// the body, hashed as they are.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "command-service/aggregate/commands.hpp"
#include "command-service/aggregate/store.hpp"
#include "command-service/documents/upload.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "events/catalogue.hpp"
#include "fuzz/samples.hpp"
#include "fuzz/support.hpp"
#include "model/aggregates/identity.hpp"
#include "model/validate.hpp"
#include "platform/core/hash.hpp"
#include "tests/support/envelope_of.hpp"
#include "tests/support/event_contract.hpp"

namespace cc::fuzz {
namespace {

const TenantId kTenant = *TenantId::parse("7e1a0000-0000-4000-8000-000000000001");
const UserId kCaller = *UserId::parse("7e1a0000-0000-4000-8000-000000000002");
const Uuid kNewItem = *Uuid::parse("7e1a0000-0000-4000-8000-0000000000ff");

// The world every input is decided against, built once.
struct World {
    command::WriteModel model;
    std::map<std::string, Uuid, std::less<>> items;  // a live item of each aggregate
    std::int64_t offset = 0;
    Samples samples;
    std::string problems;                // aggregates whose sample item was refused
    std::vector<std::string> envelopes;  // the events it was built from, as written

    aggregate::Target target(const model::Aggregate& a, const Uuid& id) const {
        return {&a, aggregate::filed_under(a, id, kTenant), id, kCaller, samples.now(), true};
    }

    // As the command bus wraps it, on the samples' clock and by their caller.
    events::Envelope envelope_of(const domain::PendingEvent& pending) const {
        auto e = testing::envelope_of(pending);
        e.occurred_at = samples.now();
        e.actor = kCaller;
        return e;
    }

    void fold(const Result<domain::Decision>& decision, std::string_view what) {
        if (!decision) {
            problems += std::string(what) + ": " + decision.error().detail + "\n";
            for (const auto& f : decision.error().fields) {
                problems += "  " + f.field + ": " + f.message + "\n";
            }
            return;
        }
        for (const auto& pending : decision->events) {
            const auto envelope = envelope_of(pending);
            envelopes.push_back(events::serialize(envelope));
            model.apply(envelope, eventlog::Position{0, offset++});
        }
        items[std::string(what)] = decision->aggregate_id;
    }

    World() {
        const auto live = [this](std::string_view aggregate) -> std::optional<Uuid> {
            if (aggregate == model::kTenantMember) return kCaller.uuid();
            const auto it = items.find(aggregate);
            if (it == items.end()) return std::nullopt;
            return it->second;
        };
        fold(decide(model,
                    identity::register_user(kCaller, {samples.body(model::kUser.fields, live)})),
             "user");
        fold(decide(model,
                    identity::create_tenant(kTenant, {samples.body(model::kTenant.fields, live)})),
             "tenant");
        fold(decide(model, identity::put_membership(
                               kTenant, kCaller,
                               *MembershipId::parse("7e1a0000-0000-4000-8000-000000000003"),
                               std::nullopt, {boost::json::object{{"role", "admin"}}})),
             "membership");
        int n = 0;
        for (const auto* a : model::aggregates()) {
            if (items.contains(a->name)) continue;
            // Fixed, so that the seed inputs' references name them on every run.
            char text[37];
            std::snprintf(text, sizeof text, "7e1a0000-0000-4000-8000-%012d", 100 + n++);
            const auto id = *Uuid::parse(text);
            auto body = samples.body(a->fields, live);
            if (!a->put_by.empty()) {
                aggregate::Put put{target(*a, *live(a->field(a->put_by)->references)),
                                   id,
                                   {},
                                   std::nullopt,
                                   {std::move(body)}};
                if (!a->put_key.empty()) put.key = samples.key_of(*a);
                fold(decide(model, put), a->name);
                continue;
            }
            aggregate::Create create{target(*a, id), {std::move(body)}};
            if (a->upload != nullptr) create.computed = samples.computed(*a->upload);
            fold(decide(model, create), a->name);
        }
        if (std::getenv("CC_FUZZ_VERBOSE") != nullptr && !problems.empty()) {
            std::fprintf(stderr, "sample items refused:\n%s", problems.c_str());
        }
    }
};

World& world() {
    static World instance;
    return instance;
}

// Validation again of what it accepted, sent as a client would send it.
void revalidates(const model::Aggregate& a, std::span<const model::Field> fields, bool patch,
                 const boost::json::object& accepted) {
    const auto text = json::serialize(accepted);
    const auto body = json::parse_body(text);
    require(body.ok(), "validated values are JSON a client could send", text);
    const auto again =
        patch ? model::validate_patch(fields, *body) : model::validate_create(fields, *body);
    require(again.ok(), "validated values validate again",
            std::string(a.name) + ": " + text + (again ? "" : " -> " + again.error().detail));
    require(*again == accepted, "validating is idempotent",
            text + " -> " + json::serialize(*again));
}

void check_validation(const model::Aggregate& a, std::span<const model::Field> fields, bool patch,
                      const json::Body& body) {
    const auto accepted =
        patch ? model::validate_patch(fields, body) : model::validate_create(fields, body);
    if (!accepted) {
        require(!accepted.error().fields.empty(), "a refused body names the fields at fault");
        return;
    }
    for (const auto& entry : *accepted) {
        const auto* field = [&]() -> const model::Field* {
            for (const auto& f : fields)
                if (f.name == entry.key()) return &f;
            return nullptr;
        }();
        require(field != nullptr && field->set_by == model::Setter::client,
                "validation keeps only client fields", entry.key());
        require(!field->required || !entry.value().is_null(), "a required field is never null",
                entry.key());
    }
    if (!patch) {
        for (const auto& f : fields) {
            require(f.set_by != model::Setter::client || accepted->contains(f.name),
                    "a validated create names every client field", f.name);
        }
    }
    revalidates(a, fields, patch, *accepted);
}

void check_events(const Result<domain::Decision>& decision) {
    if (!decision) {
        const auto& error = decision.error();
        require(error.kind != ErrorKind::internal, "a decider never fails internally",
                error.type + ": " + error.detail);
        return;
    }
    auto& w = world();
    auto model = w.model;
    for (const auto& pending : decision->events) {
        const auto envelope = w.envelope_of(pending);
        std::string violations;
        for (const auto& line : testing::event_contract_violations(envelope)) {
            violations += line + "\n";
        }
        require(violations.empty(), "every event matches its published schemas",
                violations + events::serialize(envelope));
        const auto written = events::serialize(envelope);
        const auto read = events::parse_envelope(written);
        require(read.ok() && *read == envelope, "every event reads back unchanged", written);
        model.apply(envelope, eventlog::Position{0, w.offset});
    }
}

// A document's create: the upload read and examined, then the decider.
void upload(const model::Aggregate& a, std::string_view content_type, std::string_view body) {
    const auto request = documents::read_upload(content_type, body, {});
    if (!request) return;
    const auto* begin = body.data();
    require(request->bytes.data() >= begin &&
                request->bytes.data() + request->bytes.size() <= begin + body.size(),
            "an upload's file is a part of the request body");
    check_validation(a, a.fields, false, request->metadata);
    const auto file = documents::examine(*request, documents::kDefaultMaxBytes);
    if (!file) return;
    require(file->size == request->bytes.size() && file->sha256 == sha256_hex(request->bytes),
            "an examined file is hashed and sized as it is");
    auto& w = world();
    aggregate::Create create{w.target(a, kNewItem), request->metadata,
                             documents::computed_fields(*a.upload, *file)};
    check_events(decide(w.model, create));
}

}  // namespace
}  // namespace cc::fuzz

namespace cc::fuzz {
namespace {

// CC_FUZZ_WRITE_SEEDS=<folder>: one input per step of every aggregate, its
// body the samples, and the events the world was built from in
// <folder>/../envelope (how those corpora began).
void write_seeds(const std::filesystem::path& folder) {
    auto& w = world();
    const LiveItem live = [&](std::string_view aggregate) -> std::optional<Uuid> {
        if (aggregate == model::kTenantMember) return kCaller.uuid();
        const auto it = w.items.find(aggregate);
        return it == w.items.end() ? std::nullopt : std::optional(it->second);
    };
    std::filesystem::create_directories(folder);
    // The events the world was built from seed the envelope target.
    const auto envelopes = folder.parent_path() / "envelope";
    std::filesystem::create_directories(envelopes);
    for (std::size_t i = 0; i < w.envelopes.size(); ++i) {
        std::ofstream(envelopes / ("event-" + std::to_string(i) + ".json")) << w.envelopes[i];
    }
    const auto write = [&](const model::Aggregate& a, std::string_view step,
                           const std::string& body) {
        std::ofstream(folder / (std::string(a.name) + "-" + std::string(step)))
            << a.name << ' ' << step << '\n'
            << body;
    };
    for (const auto* a : model::aggregates()) {
        const auto body = json::serialize(w.samples.body(a->fields, live));
        if (a->upload != nullptr) {
            write(*a, "create",
                  "multipart/form-data; boundary=b\n--b\r\nContent-Disposition: form-data; "
                  "name=\"name\"\r\n\r\nA letter\r\n--b\r\nContent-Disposition: form-data; "
                  "name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: "
                  "application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--b--\r\n");
        } else {
            write(*a, a->put_by.empty() ? "create" : "put", body);
        }
        const auto* first = [&]() -> const model::Field* {
            for (const auto& f : a->fields)
                if (f.set_by == model::Setter::client && !f.immutable) return &f;
            return nullptr;
        }();
        if (first != nullptr) {
            write(
                *a, "patch",
                json::serialize(boost::json::object{{first->name, w.samples.value(*first, live)}}));
        }
        for (const auto& action : a->actions) {
            if (action.by_server) continue;
            write(*a, action.name, json::serialize(w.samples.body(action.inputs, live)));
        }
    }
}

}  // namespace
}  // namespace cc::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    cc::fuzz::world();
    if (const char* folder = std::getenv("CC_FUZZ_WRITE_SEEDS")) {
        cc::fuzz::write_seeds(folder);
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cc;
    using namespace cc::fuzz;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    if (newline == std::string_view::npos) return 0;
    const auto line = input.substr(0, newline);
    const auto text = input.substr(newline + 1);
    const auto space = line.find(' ');
    if (space == std::string_view::npos) return 0;
    const auto* a = model::find_aggregate(line.substr(0, space));
    if (a == nullptr) return 0;
    auto step = line.substr(space + 1);
    std::string_view content_type;
    if (const auto more = step.find(' '); more != std::string_view::npos) {
        content_type = step.substr(more + 1);
        step = step.substr(0, more);
    }
    if (a->upload != nullptr && step == "create") {
        upload(*a, content_type, text);
        return 0;
    }

    auto body = json::parse_body(text);
    if (has_duplicate_key(text).value_or(false)) {
        require(!body, "a body naming a key twice is refused", text);
    }
    if (!body) return 0;

    auto& w = world();
    const auto item = w.items.find(a->name);
    const Uuid id = item != w.items.end() ? item->second : kNewItem;
    if (step == "create") {
        check_validation(*a, a->fields, false, *body);
        check_events(decide(w.model, aggregate::Create{w.target(*a, kNewItem), std::move(*body)}));
    } else if (step == "patch") {
        check_validation(*a, a->fields, true, *body);
        check_events(
            decide(w.model, aggregate::Patch{w.target(*a, id), std::nullopt, std::move(*body)}));
    } else if (step == "put" && !a->put_by.empty()) {
        check_validation(*a, a->fields, false, *body);
        const auto* by = a->field(a->put_by);
        const auto named = w.items.find(by->references);
        aggregate::Put put{w.target(*a, named != w.items.end() ? named->second : kCaller.uuid()),
                           kNewItem,
                           {},
                           std::nullopt,
                           std::move(*body)};
        if (!a->put_key.empty()) put.key = w.samples.key_of(*a);
        check_events(decide(w.model, put));
    } else if (const auto* action = a->action(step)) {
        check_validation(*a, action->inputs, false, *body);
        check_events(decide(
            w.model, aggregate::Act{w.target(*a, id), action, std::nullopt, std::move(*body)}));
    }
    return 0;
}
