-- The one line every bench/ wrk script ends with, which the scripts read:
--   RESULT rps=<req/s> p50_ms=<> p99_ms=<> requests=<> non2xx=<> sockerr=<>
-- A script takes it with: done = dofile(<its own folder> .. "wrk-result.lua")
return function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d non2xx=%d sockerr=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
