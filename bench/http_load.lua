-- wrk script: a mix of GET routes as the web console and scripts use them.
-- The token comes from the environment (HERALD_BENCH_TOKEN).
local token = os.getenv("HERALD_BENCH_TOKEN") or ""
local paths = {
  "/health", "/ready", "/info", "/api/v1/actors", "/api/v1/series",
  "/api/v1/signals?limit=20", "/api/v1/insights?limit=20", "/api/v1/content?limit=20",
  "/api/v1/published?limit=20", "/metrics",
}
local i = 0
request = function()
  i = i + 1
  local path = paths[(i % #paths) + 1]
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
local codes = {}
response = function(status, headers, body)
  if status ~= 200 and (codes[status] or 0) == 0 then io.stderr:write("status " .. status .. ": " .. body:sub(1, 200) .. "\n") end
  codes[status] = (codes[status] or 0) + 1
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d in %.1f s = %.0f req/s; latency p50 %.2f ms p90 %.2f ms p99 %.2f ms max %.2f ms; errors %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
