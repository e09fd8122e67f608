-- wrk: reads of one patient by id (GET .../patients/{id}) as the bearer of
-- TOKEN_FILE; TARGET_FILE holds the path. Prints one line:
--   RESULT rps=<req/s> p50_ms=<> p99_ms=<> requests=<> non2xx=<> sockerr=<>
local function first_line(path)
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  local line = f:read("*l")
  f:close()
  assert(line and line ~= "", path .. " is empty")
  return line
end

function init(args)
  target = first_line(os.getenv("TARGET_FILE"))
  headers = { ["Authorization"] = "Bearer " .. first_line(os.getenv("TOKEN_FILE")) }
end

function request()
  return wrk.format("GET", target, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d non2xx=%d sockerr=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
