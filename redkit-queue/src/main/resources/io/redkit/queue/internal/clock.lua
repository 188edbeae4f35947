-- clock.lua, included by the queue scripts (RedisScript's --#include).
-- now_ms(arg): the time in ms given by the caller (a test clock), or, when arg is "", the Redis
-- server's TIME, so producers and workers with skewed clocks agree.
local function now_ms(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
