-- list.lua: one page of job ids in a state, in a stable order (read-only).
-- KEYS: 1 wait list, 2 prioritized zset, 3 the state's zset (ignored for waiting)
-- ARGV: 1 state (waiting, delayed, retrying, active, completed, dead), 2 offset, 3 limit
-- Reply: job ids. Waiting: run order (priority above 0, then 0 in FIFO order, then below 0);
--        delayed and retrying: by due time; active: by lease deadline; completed and dead: newest first.
local state, off, lim = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if lim <= 0 then return {} end
if state ~= 'waiting' then
  if state == 'completed' or state == 'dead' then return redis.call('ZREVRANGE', KEYS[3], off, off + lim - 1) end
  return redis.call('ZRANGE', KEYS[3], off, off + lim - 1)
end
local out = {}
local hi = redis.call('ZCOUNT', KEYS[2], '-inf', '(4398046511104000')
local llen = redis.call('LLEN', KEYS[1])
local function take(ids) for _, id in ipairs(ids) do if #out < lim then out[#out + 1] = id end end end
if off < hi then take(redis.call('ZRANGE', KEYS[2], off, math.min(hi, off + lim) - 1)) end
local o2 = math.max(0, off - hi)
if #out < lim and o2 < llen then take(redis.call('LRANGE', KEYS[1], o2, o2 + (lim - #out) - 1)) end
local o3 = math.max(0, off - hi - llen)
if #out < lim then take(redis.call('ZRANGE', KEYS[2], hi + o3, hi + o3 + (lim - #out) - 1)) end
return out
