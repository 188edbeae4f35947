-- window.lua, included by drain.lua and retry.lua (RedisScript's --#include).
-- A bounded walk over a sorted set as it was when the walk started: the entries whose score is at most
-- the highest score at the start, in score order, at most `limit` entries per script call. Entries added
-- later with a higher score are never reached, so the walk ends however fast the set grows.
-- The cursor, kept by the caller between calls, is "score|skip|max": go on at `score` (inclusive) after
-- the `skip` entries of that score that earlier steps visited and left in the set; "x" once done.
-- window_start(z): the cursor of a new walk over z ("x" when z is empty).
-- window_step(z, cursor, limit, visit): calls visit(member) for up to `limit` entries in order; visit
--   returns true when it removed the entry from z. Returns the entries visited and the next cursor.
local function window_start(z)
  local last = redis.call('ZRANGE', z, -1, -1, 'WITHSCORES')
  if #last == 0 then return 'x' end
  return '-inf|0|' .. last[2]
end

local function window_step(z, cursor, limit, visit)
  if cursor == 'x' or limit <= 0 then return 0, cursor end
  local s, k, max = string.match(cursor, '^([^|]+)|(%d+)|(.+)$')
  k = tonumber(k)
  local r = redis.call('ZRANGEBYSCORE', z, s, max, 'WITHSCORES', 'LIMIT', k, limit)
  local seen = #r / 2
  if seen < limit then
    for i = 1, #r, 2 do visit(r[i]) end
    return seen, 'x'
  end
  local last = r[#r]
  local kept = 0
  if last == s then kept = k end
  for i = 1, #r, 2 do
    if not visit(r[i]) and r[i + 1] == last then kept = kept + 1 end
  end
  return seen, last .. '|' .. kept .. '|' .. max
end
