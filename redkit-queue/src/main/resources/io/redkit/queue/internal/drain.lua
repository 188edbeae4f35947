-- drain.lua: deletes up to a bounded number of waiting (and optionally delayed and retrying) jobs per call,
-- so draining a large queue never blocks Redis for long; the caller repeats until it returns 0.
-- KEYS: 1 wait list, 2 prioritized zset, 3 delayed zset, 4 retrying zset
-- ARGV: 1 key base, 2 "1" to also drain delayed and retrying jobs, 3 at most this many jobs per call
-- Reply: the number of jobs deleted by this call
local base, limit = ARGV[1], tonumber(ARGV[3])
local n = 0
local function del(ids)
  for _, id in ipairs(ids) do redis.call('DEL', base .. 'j:' .. id, base .. 's:' .. id) end
  n = n + #ids
end
local l = redis.call('LPOP', KEYS[1], limit)
if l then del(l) end
local zs = {KEYS[2]}
if ARGV[2] == '1' then zs = {KEYS[2], KEYS[3], KEYS[4]} end
for _, z in ipairs(zs) do
  if n < limit then
    local ids = redis.call('ZRANGE', z, 0, limit - n - 1)
    if #ids > 0 then
      redis.call('ZREM', z, unpack(ids))
      del(ids)
    end
  end
end
return n
