-- enqueue.lua: adds one or many jobs to a queue, each waiting or delayed, with optional idempotency keys.
-- KEYS: 1 wait list, 2 prioritized zset, 3 delayed zset, 4 stats hash, 5 events stream, 6 marker list, 7 id counter
-- ARGV: 1 key base ("<prefix>:{queue}:"), 2 now in ms or "" for Redis TIME, 3 events stream max length (0 = no events),
--       4 job count n, then 6 values per job: record, priority (-1000..1000, higher runs first),
--       delay ms ("" or 0 = none), run-at epoch ms ("" = none), idempotency key ("" = none), idempotency window ms
-- Reply: flat array, 2 per job: job id (string), 1 when created or 0 when the idempotency key already named a job
-- Jobs of priority 0 go to the wait list (FIFO); others to the prioritized zset scored (1000 - priority) * 2^42 + id.
local base = ARGV[1]
--#include clock.lua
local now = now_ms(ARGV[2])
local maxlen = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local UNIT = 4398046511104
local out = {}
local wake = false
local added = 0
local firstDue = nil
for i = 0, n - 1 do
  local o = 5 + i * 6
  local rec, prio, delay, runAt, ik, ikw = ARGV[o], tonumber(ARGV[o + 1]), ARGV[o + 2], ARGV[o + 3], ARGV[o + 4], ARGV[o + 5]
  local existing = false
  if ik ~= '' then existing = redis.call('GET', base .. 'ik:' .. ik) end
  if existing then
    out[#out + 1] = existing
    out[#out + 1] = 0
  else
    local id = string.format('%d', redis.call('INCR', KEYS[7]))
    if ik ~= '' then redis.call('SET', base .. 'ik:' .. ik, id, 'PX', ikw) end
    redis.call('SET', base .. 'j:' .. id, rec)
    local due = 0
    if runAt ~= '' then due = tonumber(runAt)
    elseif delay ~= '' then due = now + tonumber(delay) end
    if due > now then
      if firstDue == nil then
        local f = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
        if f[2] then firstDue = tonumber(f[2]) else firstDue = -1 end
      end
      redis.call('ZADD', KEYS[3], due, id)
      if firstDue < 0 or due < firstDue then wake = true; firstDue = due end
      if maxlen > 0 then redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxlen, '*', 'e', 'added', 'j', id, 'due', string.format('%d', due)) end
    else
      if prio == 0 then redis.call('RPUSH', KEYS[1], id)
      else redis.call('ZADD', KEYS[2], (1000 - prio) * UNIT + tonumber(id), id) end
      wake = true
      if maxlen > 0 then redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxlen, '*', 'e', 'added', 'j', id) end
    end
    added = added + 1
    out[#out + 1] = id
    out[#out + 1] = 1
  end
end
if added > 0 then redis.call('HINCRBY', KEYS[4], 'added', added) end
if wake and redis.call('LLEN', KEYS[6]) == 0 then redis.call('RPUSH', KEYS[6], '1') end
return out
