-- wrk script for `make bench`: GET (or, with BENCH_POST=1 in the environment, the visit POST with a fresh
-- client_id per request), then one JSON line with throughput, latency percentiles and errors.
local threads = {}
local counter = 0

local post = os.getenv("BENCH_POST") == "1"

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tid = tid or 0
  if post then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Accept"] = "application/json"
  end
end

function request()
  if not post then
    return wrk.format()
  end
  counter = counter + 1
  -- Unique per run, thread and request: the server treats a repeated client_id as a retry.
  local id = string.format("%08x-%04x-4000-8000-%012x", os.time() % 0xffffffff, tid, counter)
  return wrk.format(nil, nil, nil, "visit_type=patrol&client_id=" .. id)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "duration_us": %d, "rps": %.2f, "p50_ms": %.3f, "p95_ms": %.3f, ' ..
    '"p99_ms": %.3f, "mean_ms": %.3f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, e.connect, e.read, e.write, e.status, e.timeout))
end
