-- wrk reports p50 and p99 with --latency; this prints the percentiles the
-- benchmark needs, in microseconds, on one line the script can parse.
done = function(summary, latency, requests)
  io.write(string.format(
    "PERCENTILES p50=%d p95=%d p99=%d requests=%d errors=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout))
end
