-- One benchmark scenario for wrk: GET a list of paths in turn, optionally with a cookie, and print a JSON
-- summary on the last line of the output.
--
--   wrk -t2 -c8 -d10s --latency -s bench/wrk/scenario.lua http://127.0.0.1:PORT -- PATHS_FILE [COOKIE]
--
-- PATHS_FILE has one path per line ("/books/?q=river"). Each wrk thread starts at a different line, so the
-- connections spread over the list. With a third argument "once" each thread walks its own half of the list
-- (the long tail: no path asked twice until the list runs out). Responses with a status of 400 or more count as errors (summary.errors.status).

local paths = {}
local cookie = nil
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if line ~= "" then
      table.insert(paths, line)
    end
  end
  file:close()
  if args[2] and args[2] ~= "" then
    cookie = args[2]
  end
  counter = (id or 1) * 7919
  if args[3] == "once" then
    -- Each of the two threads walks its own half: no path is asked twice until the list runs out.
    counter = ((id or 1) - 1) * math.floor(#paths / 2) - 1
  end
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local headers = {}
  if cookie then
    headers["Cookie"] = cookie
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local function ms(microseconds)
    return string.format("%.3f", microseconds / 1000)
  end
  local errors = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "duration_s": %.3f, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_ms": {"mean": %s, "p50": %s, "p90": %s, "p95": %s, "p99": %s, "max": %s}}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    ms(latency.mean), ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency.max)))
end
