-- record_denial.lua: adds denial counts of rate-limit keys to one policy's ranking for one hour,
-- keeping the ranking bounded and expiring. One call carries what a limiter aggregated locally
-- since its last flush, for one ranking (see DenialLog).
--
-- KEYS[1]  the ranking (ZSET: denied key -> denials) of one policy and one clock hour
-- ARGV[1]  ms until the ranking may expire (the end of the following hour, plus a margin); set
--          when the ranking has no expiry yet
-- ARGV[2]  members kept when trimming: once the ranking holds more than twice this many, the
--          least denied are removed down to this many (so at most 2 * ARGV[2] members after a call)
-- ARGV[3], ARGV[4], ...  pairs: a denied key as checked (e.g. "{203.0.113.7}:alice"), then the
--          denials to add to it (>= 1)
-- Reply:   the number of keys whose counts were added
local added = 0
for i = 3, #ARGV - 1, 2 do
  redis.call('ZINCRBY', KEYS[1], ARGV[i + 1], ARGV[i])
  added = added + 1
end
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local keep = tonumber(ARGV[2])
local card = redis.call('ZCARD', KEYS[1])
if card > 2 * keep then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, card - keep - 1)
end
return added
