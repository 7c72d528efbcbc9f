-- Shared by the benchmark's wrk scripts: the headers every request carries, and one line of
-- JSON with the run's figures (printed by done(), read by bench/load.py).
local common = {}

-- Behind a TLS-terminating proxy, as in production: gunicorn trusts this header only with
-- SALYNC_TRUST_X_FORWARDED_PROTO=1, and only from loopback.
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "")

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_object(items)
  local parts = {}
  for key, value in pairs(items) do
    table.insert(parts, string.format('"%s": %s', tostring(key), tostring(value)))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counted[status] = (counted[status] or 0) + count
    end
  end
  local errors = summary.errors
  io.write("BENCH_RESULT " .. json_object({
    requests = summary.requests,
    duration_us = summary.duration,
    statuses = json_object(counted),
    errors = json_object({
      connect = errors.connect, read = errors.read, write = errors.write,
      status = errors.status, timeout = errors.timeout,
    }),
    latency_us = json_object({
      p50 = latency:percentile(50), p90 = latency:percentile(90),
      p99 = latency:percentile(99), mean = latency.mean, max = latency.max,
    }),
  }) .. "\n")
end

function common.init()
  statuses = {}
  math.randomseed(os.time() * 100 + (id or 0))
end

return common
