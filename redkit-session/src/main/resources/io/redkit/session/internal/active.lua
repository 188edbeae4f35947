-- Changes the active-session counters. Each counter counts the sessions whose expiry falls in one
-- time bucket: creating a session adds 1 to the bucket of its expiry, an access that moves the
-- expiry moves it to the new bucket, a revocation or eviction takes it out of its bucket. The
-- sum of the buckets from now on is the number of live sessions. A counter expires one bucket
-- width after its bucket has passed, so the counters never outlive the sessions they count.
-- KEYS[1..n]  counters, <prefix>:sess:{active}:<width>:<bucket> (one hash tag: one slot on Cluster)
-- ARGV[1]     now in ms, or -1 to use the Redis server's TIME
-- ARGV[2]     bucket width in ms
-- ARGV[2i+1]  the bucket number of KEYS[i] (the bucket covers [number * width, (number + 1) * width))
-- ARGV[2i+2]  the amount to add to KEYS[i] (negative to take sessions out)
-- Reply: the number of counters changed (buckets already past are left alone)
--#include clock.lua

local now = now_ms(ARGV[1])
local width = tonumber(ARGV[2])
local changed = 0
for i = 1, #KEYS do
  local ends = (tonumber(ARGV[2 * i + 1]) + 1) * width
  local delta = tonumber(ARGV[2 * i + 2])
  if ends > now and delta ~= 0 then
    redis.call('INCRBY', KEYS[i], delta)
    redis.call('PEXPIRE', KEYS[i], ends - now + width)
    changed = changed + 1
  end
end
return changed
