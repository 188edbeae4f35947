-- drain.lua: one bounded step of a drain. A drain deletes the waiting (and optionally delayed and retrying)
-- jobs that existed when it started: jobs whose id is at most the queue's last id at the start. Jobs added
-- while it runs are kept, so it ends under any rate of adds. The caller repeats until every cursor is "x".
-- KEYS: 1 wait list, 2 prioritized zset, 3 delayed zset, 4 retrying zset, 5 job id counter
-- ARGV: 1 key base, 2 "1" to also drain delayed and retrying jobs, 3 at most this many jobs looked at per call,
--       4 the id bound ("" on the first call: this call takes it), 5 the wait list's cursor ("1" or "x"),
--       6-8 the cursors of the prioritized, delayed and retrying zsets (window.lua; ignored on the first call)
-- Reply: {jobs deleted by this call, id bound, wait cursor, prioritized cursor, delayed cursor, retrying cursor}
-- The wait list is taken from its head, `limit` at a time: the drain's jobs are deleted and the others put
-- back at the head in their order; the list is done once a step finds none of the drain's jobs at its head
-- (jobs added later are appended at its tail, behind the drain's).
--#include window.lua
local base, limit = ARGV[1], tonumber(ARGV[3])
local bound, wc, pc, dc, rc
if ARGV[4] == '' then
  bound = tonumber(redis.call('GET', KEYS[5]) or '0')
  wc, pc = '1', window_start(KEYS[2])
  if ARGV[2] == '1' then dc, rc = window_start(KEYS[3]), window_start(KEYS[4]) else dc, rc = 'x', 'x' end
else
  bound = tonumber(ARGV[4])
  wc, pc, dc, rc = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
end
local n = 0
local function del(id)
  redis.call('DEL', base .. 'j:' .. id, base .. 's:' .. id)
  n = n + 1
end
local budget = limit
if wc ~= 'x' then
  local ids = redis.call('LPOP', KEYS[1], budget)
  if not ids then
    wc = 'x'
  else
    budget = budget - #ids
    local keep = {}
    for i = #ids, 1, -1 do
      if tonumber(ids[i]) <= bound then del(ids[i]) else keep[#keep + 1] = ids[i] end
    end
    -- keep is in reverse order, so LPUSH restores the original order at the head
    if #keep > 0 then redis.call('LPUSH', KEYS[1], unpack(keep)) end
    if #keep == #ids then wc = 'x' end
  end
end
local function walk(z, cursor)
  local seen, next = window_step(z, cursor, budget, function(id)
    if tonumber(id) > bound then return false end
    redis.call('ZREM', z, id)
    del(id)
    return true
  end)
  budget = budget - seen
  return next
end
pc = walk(KEYS[2], pc)
dc = walk(KEYS[3], dc)
rc = walk(KEYS[4], rc)
return {n, string.format('%d', bound), wc, pc, dc, rc}
