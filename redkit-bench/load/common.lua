-- Shared by the wrk scripts of server-load.sh: per-thread random seeds and one machine-readable
-- result line (REDKIT-RESULT key=value ...) printed by done(). Latencies are in microseconds.
-- errors.status is what wrk prints as "Non-2xx or 3xx responses" (it counts statuses above 399).

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

-- a different random sequence in every thread and every run
function seed_random()
  math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919 + math.floor((os.clock() * 1e6) % 1e6))
  for _ = 1, 10 do math.random() end
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "REDKIT-RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
