-- trim.lua, included by fetch.lua and fail.lua (RedisScript's --#include).
-- trim(z, keep, age, base, now): retention of a finished-jobs zset (completed or dead, scored by
-- finish time): deletes jobs older than `age` ms (0 = no age limit) and the oldest beyond `keep`
-- (-1 = keep all), at most 100 of each per call so no call blocks Redis for long; a job's record
-- (`j:`) and state (`s:`) hashes go with it.
local function trim(z, keep, age, base, now)
  if age > 0 then
    local old = redis.call('ZRANGEBYSCORE', z, '-inf', now - age, 'LIMIT', 0, 100)
    if #old > 0 then
      for _, id in ipairs(old) do redis.call('DEL', base .. 'j:' .. id, base .. 's:' .. id) end
      redis.call('ZREM', z, unpack(old))
    end
  end
  if keep >= 0 then
    local excess = redis.call('ZCARD', z) - keep
    if excess > 0 then
      if excess > 100 then excess = 100 end
      local ids = redis.call('ZRANGE', z, 0, excess - 1)
      for _, id in ipairs(ids) do redis.call('DEL', base .. 'j:' .. id, base .. 's:' .. id) end
      redis.call('ZREMRANGEBYRANK', z, 0, excess - 1)
    end
  end
end
