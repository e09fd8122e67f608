-- wrk: reads through the query service as the tenants' own admins.
-- IDS_FILE has one "<tenant id> <patient id> <token>" per line;
-- READ=get asks for a random patient by id, READ=list for the first page
-- of 50 of a random tenant, in the list's order (last name, first name,
-- id: the peers' order). Prints one line:
--   RESULT rps=<req/s> p50_ms=<> p99_ms=<> requests=<> non2xx=<> sockerr=<>
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  local read = os.getenv("READ") or "get"
  local requests = {}
  for line in assert(io.open(os.getenv("IDS_FILE"), "r"), "cannot open IDS_FILE"):lines() do
    local tenant, patient, token = line:match("^(%S+) (%S+) (%S+)$")
    if tenant then
      local path = "/v1/tenants/" .. tenant .. "/patients" ..
        (read == "list" and "?limit=50" or "/" .. patient)
      requests[#requests + 1] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
    end
  end
  assert(#requests > 0, "IDS_FILE is empty")
  request = function() return requests[math.random(#requests)] end
end

done = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk-result.lua")
