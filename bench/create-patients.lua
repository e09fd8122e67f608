-- wrk: durable command throughput. POSTs a new patient to a random tenant of
-- TENANTS_FILE (one "<tenant id>" per line) as the bearer of TOKEN_FILE.
-- Each body is new (valid NHS numbers, Modulus 11). Prints one line:
--   RESULT rps=<req/s> p50_ms=<> p99_ms=<> requests=<> non2xx=<> sockerr=<>
local function read_lines(path)
  local lines = {}
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  for line in f:lines() do
    if line ~= "" then lines[#lines + 1] = line end
  end
  f:close()
  assert(#lines > 0, path .. " is empty")
  return lines
end

local FIRST = { "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Grace" }
local LAST = { "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Patel", "Khan", "Wilson" }

local function nhs_number()
  while true do
    local d, sum = {}, 0
    d[1] = math.random(4, 9)
    for i = 2, 9 do d[i] = math.random(0, 9) end
    for i = 1, 9 do sum = sum + d[i] * (11 - i) end
    local check = (11 - sum % 11) % 11
    if check ~= 10 then return table.concat(d) .. check end
  end
end

local function body()
  local f, l = FIRST[math.random(#FIRST)], LAST[math.random(#LAST)]
  return string.format(
    '{"first_name":"%s","last_name":"%s","date_of_birth":"%04d-%02d-%02d","nhs_number":"%s",' ..
    '"address":"%d High Street, Leeds","phone":"07%09d","email":"%s.%s%d@example.com"}',
    f, l, math.random(1930, 2015), math.random(1, 12), math.random(1, 28), nhs_number(),
    math.random(1, 250), math.random(0, 999999999), f:lower(), l:lower(), math.random(1, 999))
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  tenants = read_lines(os.getenv("TENANTS_FILE"))
  local token = read_lines(os.getenv("TOKEN_FILE"))[1]
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

-- A body per request: a repeated NHS number in one tenant would be a 409.
function request()
  local tenant = tenants[math.random(#tenants)]
  return wrk.format("POST", "/v1/tenants/" .. tenant .. "/patients", headers, body())
end

done = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk-result.lua")
