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

-- NHS numbers without repeats: each thread counts up from a start drawn at
-- random. Numbers drawn at random repeated within a tenant after a few
-- hundred thousand patients (birthdays), and each repeat was a 409 counted
-- against the run; now two threads, of this run or of another on the same
-- tenants, repeat numbers only if the ranges they count through overlap
-- (about 2 in 10,000 per pair of threads for a 10 s run).
local nhs_next = 0
local function nhs_number()
  while true do
    local n = 400000000 + nhs_next % 600000000
    nhs_next = nhs_next + 1
    local digits, sum = tostring(n), 0
    for i = 1, 9 do sum = sum + tonumber(digits:sub(i, i)) * (11 - i) end
    local check = (11 - sum % 11) % 11
    if check ~= 10 then return digits .. check end
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
  nhs_next = math.random(0, 599999999)
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
