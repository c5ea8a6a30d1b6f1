-- wrk script: optional rotating list of paths (one per line, file named by the first argument)
-- and a JSON report of latency percentiles, so the benchmark can compute ratios.
local paths = {}
local index = 0
local unique = false
local newquery = false
local counter = 0

init = function(args)
  unique = args[2] == "unique"
  newquery = args[2] == "newquery"
  counter = math.random(1, 1000000000)
  if args[1] then
    for line in io.lines(args[1]) do
      if #line > 0 then table.insert(paths, line) end
    end
  end
  wrk.headers["Accept-Encoding"] = "br, gzip"
end

request = function()
  if #paths == 0 then return wrk.format(nil) end
  index = index % #paths + 1
  if newquery then
    -- One more word in the search itself: a query the engine has never seen (bench/abuse.py).
    counter = counter + 1
    return wrk.format(nil, paths[index] .. "+zq" .. counter)
  end
  if unique then
    -- A query string never seen before: the server cannot answer it from a cache.
    counter = counter + 1
    return wrk.format(nil, paths[index] .. "&nocache=" .. counter)
  end
  return wrk.format(nil, paths[index])
end

done = function(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_timeout":%d,"non2xx3xx":%d,"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.timeout, summary.errors.status, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max))
end
