-- Reads a version counter, creating it when missing with the server's time in microseconds
-- (see bump-version.lua), so every value records a version the counter can never return to.
-- KEYS[1]  the version key
-- ARGV     none
-- reply    integer: the current version
local v = redis.call('GET', KEYS[1])
if v then
  return tonumber(v)
end
local t = redis.call('TIME')
v = t[1] .. string.format('%06d', tonumber(t[2]))
redis.call('SET', KEYS[1], v, 'NX')
return tonumber(redis.call('GET', KEYS[1]))
