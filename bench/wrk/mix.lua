-- wrk script for `make bench`'s weighted mix: every request is drawn at random, by weight, from the requests listed
-- in the file named by BENCH_MIX (one per line: weight, method, path, cookie, CSRF token, tab-separated), each with
-- its own page's session cookie; a POST gets a fresh client_id. Run with as many threads as connections (-tN -cN):
-- each thread then has one connection, request() and response() alternate, and the time between them is that
-- request's latency, kept per class (line of the file). Prints one JSON line: the mix's throughput and latency
-- percentiles (wrk's own) and, per class, requests, p50/p95 and answers outside 2xx. Samples are kept in flat
-- tables (latency and class side by side): wrk 4.1's thread:get() crashes copying a table of tables.
-- With BENCH_MIX_THINK_MS set, each connection waits a random (exponential) think time of that mean before each
-- request: the mix at a chosen rate (about connections / (think + service time)) instead of flat out.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec[1]")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts[0].tv_sec) * 1e6 + tonumber(ts[0].tv_nsec) / 1e3
end

local threads = {}
local think = tonumber(os.getenv("BENCH_MIX_THINK_MS") or "0")

function delay()
  if think <= 0 then
    return 0
  end
  return math.floor(-math.log(1 - math.random()) * think)
end

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  tid = tid or 0
  counter, current, started = 0, 1, 0
  entries, pick, lat, cls, bad = {}, {}, {}, {}, {}
  for line in io.lines(os.getenv("BENCH_MIX")) do
    local f = split(line)
    local e = {weight = tonumber(f[1]), method = f[2], path = f[3],
               headers = {["Cookie"] = f[4], ["X-CSRFToken"] = f[5]}}
    if e.method == "POST" then
      e.headers["Content-Type"] = "application/x-www-form-urlencoded"
      e.headers["Accept"] = "application/json"
    else
      e.request = wrk.format("GET", e.path, e.headers)
    end
    table.insert(entries, e)
    bad[#entries] = 0
    for _ = 1, e.weight do
      table.insert(pick, #entries)
    end
  end
  math.randomseed(os.time() * 97 + tid * 7919)
end

function request()
  current = pick[math.random(#pick)]
  local e = entries[current]
  started = now_us()
  if e.method ~= "POST" then
    return e.request
  end
  counter = counter + 1
  -- Unique per run, thread and request: the server treats a repeated client_id as a retry.
  local id = string.format("%08x-%04x-4000-8000-%012x", os.time() % 0xffffffff, tid, counter)
  return wrk.format("POST", e.path, e.headers, "visit_type=patrol&client_id=" .. id)
end

function response(status, headers, body)
  local n = #lat + 1
  lat[n], cls[n] = (now_us() - started) / 1000, current
  if status < 200 or status > 299 then
    bad[current] = bad[current] + 1
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then
    return 0
  end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

function done(summary, latency, requests)
  local merged, errors = {}, {}
  for _, thread in ipairs(threads) do
    local l, c, b = thread:get("lat"), thread:get("cls"), thread:get("bad")
    for class, count in ipairs(b) do
      merged[class] = merged[class] or {}
      errors[class] = (errors[class] or 0) + count
    end
    for i, ms in ipairs(l) do
      table.insert(merged[c[i]], ms)
    end
  end
  local classes = {}
  for class, list in pairs(merged) do
    table.sort(list)
    table.insert(classes, string.format('"%d": {"requests": %d, "p50_ms": %.3f, "p95_ms": %.3f, "non_2xx": %d}',
      class, #list, percentile(list, 50), percentile(list, 95), errors[class]))
  end
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_MIX_JSON {"requests": %d, "duration_us": %d, "rps": %.2f, "p50_ms": %.3f, "p95_ms": %.3f, ' ..
    '"p99_ms": %.3f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"classes": {%s}}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(classes, ", ")))
end
