-- clock.lua, included by the session scripts (RedisScript's --#include).
-- now_ms(arg): the time in ms given by the caller (a test clock), or, when arg is -1, the Redis
-- server's TIME, so app instances with skewed clocks agree.
local function now_ms(arg)
  local n = tonumber(arg)
  if n and n >= 0 then return n end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
