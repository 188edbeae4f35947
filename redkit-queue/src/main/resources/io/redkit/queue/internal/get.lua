-- get.lua: reads one job and works out its state from the structure that holds it (read-only).
-- KEYS: 1 wait list, 2 prioritized zset, 3 delayed zset, 4 retrying zset, 5 active zset, 6 completed zset,
--       7 dead zset, 8 meta hash, 9 rate-limit zset
-- ARGV: 1 key base, 2 job id, 3 rate limit max starts (0 = none), 4 rate limit period ms,
--       5 "1" to count the jobs ahead of a waiting job (explain), else "0"
-- Reply: nil when there is no such job, else {record, state hash as flat array, state, score or "", now ms,
--        paused 0/1, jobs ahead in the run order (waiting and asked for, else -1), ms until the rate limit admits a
--        start (0 = now), 1 when "ahead" is only a lower bound, else 0}
-- Cost: O(1) without ahead. Ahead is O(log n), except for a priority-0 job: its place in the FIFO list is looked for
-- among the first and the last SCAN_BOUND jobs of the list (two bounded LPOS); further in, ahead is a lower bound.
--        state is one of waiting, delayed, retrying, active, completed, dead; the score is the due time
--        (delayed, retrying), the lease deadline (active) or the finish time (completed, dead).
local base, id = ARGV[1], ARGV[2]
--#include clock.lua
--#include record.lua
local rec = redis.call('GET', base .. 'j:' .. id)
if not rec then return nil end
local now = now_ms('')
local hash = redis.call('HGETALL', base .. 's:' .. id)
local state, score = 'waiting', false
for _, p in ipairs({{KEYS[5], 'active'}, {KEYS[3], 'delayed'}, {KEYS[4], 'retrying'}, {KEYS[6], 'completed'}, {KEYS[7], 'dead'}}) do
  score = redis.call('ZSCORE', p[1], id)
  if score then state = p[2]; break end
end
local ahead, atLeast = -1, 0
local SCAN_BOUND = 10000
if state == 'waiting' and ARGV[5] == '1' then
  local prio = header(rec) or 0
  if prio == 0 then
    local pos = redis.call('LPOS', KEYS[1], id, 'MAXLEN', SCAN_BOUND)
    if not pos then pos = redis.call('LPOS', KEYS[1], id, 'RANK', -1, 'MAXLEN', SCAN_BOUND) end
    if not pos then
      local llen = redis.call('LLEN', KEYS[1])
      if llen > SCAN_BOUND then pos = SCAN_BOUND; atLeast = 1 else pos = 0 end
    end
    ahead = redis.call('ZCOUNT', KEYS[2], '-inf', '(4398046511104000') + pos
  else
    local s = redis.call('ZSCORE', KEYS[2], id)
    if s then
      ahead = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. s)
      if prio < 0 then ahead = ahead + redis.call('LLEN', KEYS[1]) end
    else ahead = 0 end
  end
end
local paused = 0
if redis.call('HGET', KEYS[8], 'paused') == '1' then paused = 1 end
local rlWait = 0
local rlMax, rlPeriod = tonumber(ARGV[3]), tonumber(ARGV[4])
if rlMax > 0 and redis.call('ZCOUNT', KEYS[9], '(' .. string.format('%d', now - rlPeriod), '+inf') >= rlMax then
  local starts = redis.call('ZRANGEBYSCORE', KEYS[9], '(' .. string.format('%d', now - rlPeriod), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if starts[2] then rlWait = tonumber(starts[2]) + rlPeriod - now + 1 end
end
return {rec, hash, state, score or '', now, paused, ahead, rlWait, atLeast}
