-- record_denial.lua: counts denials of one rate-limit key in its policy's ranking for one hour,
-- keeping the ranking bounded and expiring.
--
-- KEYS[1]  the ranking (ZSET: denied key -> denials) of one policy and one clock hour
-- ARGV[1]  the denied key, as checked (e.g. "{203.0.113.7}:alice")
-- ARGV[2]  denials to add (>= 1)
-- ARGV[3]  ms until the ranking may expire (the end of the following hour, plus a margin); set
--          when the ranking has no expiry yet
-- ARGV[4]  members kept when trimming: once the ranking holds more than twice this many, the
--          least denied are removed down to this many (so at most 2 * ARGV[4] + 1 members)
-- Reply:   the key's denials in this hour
local n = redis.call('ZINCRBY', KEYS[1], ARGV[2], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
local keep = tonumber(ARGV[4])
local card = redis.call('ZCARD', KEYS[1])
if card > 2 * keep then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, card - keep - 1)
end
return tonumber(n)
