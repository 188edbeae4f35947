-- Raises a version counter (a tag's version or a cache's generation) and returns the new version.
-- A missing counter (never set, or evicted) starts at the server's time in microseconds, so a
-- counter that was evicted never goes back to a version some cached value recorded before.
-- KEYS[1]  the version key
-- ARGV     none
-- reply    integer: the new version
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCR', KEYS[1])
end
local t = redis.call('TIME')
local v = t[1] .. string.format('%06d', tonumber(t[2]))
redis.call('SET', KEYS[1], v)
return tonumber(v)
