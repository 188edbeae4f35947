-- fetch.lua: completes a worker's finished jobs and fetches up to its free capacity, in one call.
-- Also, before fetching: takes back jobs whose lease ran out (to waiting, or dead after maxStalls) and
-- moves due delayed and retrying jobs to waiting. Fetched jobs are leased until now + lease.
-- KEYS: 1 wait list, 2 prioritized zset, 3 delayed zset, 4 retrying zset, 5 active zset (score = lease deadline),
--       6 completed zset, 7 dead zset, 8 meta hash, 9 stats hash, 10 events stream, 11 marker list, 12 rate-limit zset
-- ARGV: 1 key base, 2 now ms or "" for Redis TIME, 3 events max length, 4 worker id, 5 jobs to fetch,
--       6 lease ms, 7 max stalls, 8 rate limit max starts (0 = none), 9 rate limit period ms,
--       10 completed jobs to keep (-1 = all), 11 completed max age ms (0 = none), 12 dead jobs to keep (-1 = all),
--       13 dead max age ms (0 = none), 14 completion count m, then 3 values per completion:
--       job id, fencing token, result ("0" = none, "1" followed by the encoded result)
-- Reply: {statuses, wake, job...}: statuses = one integer per completion (1 completed, 0 refused: the lease was
--        lost or the token is stale, 2 refused: the attempt's timeout had passed); wake = ms until something may
--        become runnable (due job, lease to reclaim, rate-limit slot), -1 = nothing scheduled, only meaningful when
--        fewer jobs than asked came back; each job = {id, record, attempt, token, timeout deadline ms or ""}.
local base = ARGV[1]
--#include clock.lua
local now = now_ms(ARGV[2])
local nows = string.format('%d', now)
local maxlen = tonumber(ARGV[3])
local worker = ARGV[4]
local count = tonumber(ARGV[5])
local lease = tonumber(ARGV[6])
local maxStalls = tonumber(ARGV[7])
local rlMax, rlPeriod = tonumber(ARGV[8]), tonumber(ARGV[9])
local keepC, keepCAge, keepX, keepXAge = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local m = tonumber(ARGV[14])
local W, PW, D, RT, A, C, X, M, ST, EV, MK, RL = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local UNIT = 4398046511104

local function event(name, id, k, v)
  if maxlen > 0 then
    if k then redis.call('XADD', EV, 'MAXLEN', '~', maxlen, '*', 'e', name, 'j', id, k, v)
    else redis.call('XADD', EV, 'MAXLEN', '~', maxlen, '*', 'e', name, 'j', id) end
  end
end
local function hist(h, code)
  h = (h or '') .. code .. nows .. ';'
  if #h > 400 then h = string.sub(h, string.find(h, ';', #h - 400, true) + 1) end
  return h
end
--#include record.lua
local function push_wait(id, prio, front)
  if prio == 0 then
    if front then redis.call('LPUSH', W, id) else redis.call('RPUSH', W, id) end
  else
    local seq = tonumber(id)
    if front then seq = 0 end
    redis.call('ZADD', PW, (1000 - prio) * UNIT + seq, id)
  end
end
--#include trim.lua

-- 1. completions
local statuses = {}
local done = 0
for i = 0, m - 1 do
  local o = 15 + i * 3
  local id, tok, res = ARGV[o], ARGV[o + 1], ARGV[o + 2]
  local sk = base .. 's:' .. id
  local f = redis.call('HMGET', sk, 'f', 'dl', 'st', 'h')
  if f[1] ~= tok or not redis.call('ZSCORE', A, id) then
    statuses[#statuses + 1] = 0
  elseif f[2] and now > tonumber(f[2]) then
    statuses[#statuses + 1] = 2
  else
    redis.call('ZREM', A, id)
    local dur = now - tonumber(f[3] or nows)
    if dur < 0 then dur = 0 end
    redis.call('HINCRBY', ST, 'h' .. math.floor(math.log(dur + 1) / math.log(2) * 4), 1)
    event('completed', id, 'ms', string.format('%d', dur))
    if keepC == 0 then
      redis.call('DEL', base .. 'j:' .. id, sk)
    else
      if string.sub(res, 1, 1) == '1' then
        redis.call('HSET', sk, 'fin', nows, 'h', hist(f[4], 'c'), 'r', string.sub(res, 2))
      else
        redis.call('HSET', sk, 'fin', nows, 'h', hist(f[4], 'c'))
      end
      redis.call('ZADD', C, now, id)
    end
    done = done + 1
    statuses[#statuses + 1] = 1
  end
end
if done > 0 then
  redis.call('HINCRBY', ST, 'completed', done)
  local minute = math.floor(now / 60000)
  local slot = minute % 60
  if redis.call('HGET', ST, 'm' .. slot) ~= string.format('%d', minute) then
    redis.call('HSET', ST, 'm' .. slot, string.format('%d', minute), 'c' .. slot, 0)
  end
  redis.call('HINCRBY', ST, 'c' .. slot, done)
  if keepC ~= 0 then trim(C, keepC, keepCAge, base, now) end
end

-- 2. leases that ran out: back to waiting (a redelivery, not a new attempt) or dead after maxStalls
local expired = redis.call('ZRANGEBYSCORE', A, '-inf', now, 'LIMIT', 0, 100)
if #expired > 0 then
  local dead = 0
  for _, id in ipairs(expired) do
    redis.call('ZREM', A, id)
    local sk = base .. 's:' .. id
    local rec = redis.call('GET', base .. 'j:' .. id)
    local prio = rec and header(rec)
    if not rec then
      redis.call('DEL', sk)
    elseif not prio then
      bury(base, id, rec, X, ST, EV, maxlen, now)
    else
      local sc = redis.call('HINCRBY', sk, 'sc', 1)
      local h = redis.call('HGET', sk, 'h')
      event('stalled', id, 'n', string.format('%d', sc))
      if sc > maxStalls then
        redis.call('HSET', sk, 'fin', nows, 'h', hist(h, 'x'),
          'e', 'lease expired ' .. sc .. ' times (more than maxStalls ' .. maxStalls .. ')', 'es', '')
        redis.call('ZADD', X, now, id)
        event('dead', id)
        dead = dead + 1
      else
        redis.call('HINCRBY', sk, 'a', -1)
        redis.call('HSET', sk, 'h', hist(h, 's'))
        push_wait(id, prio, true)
      end
    end
  end
  redis.call('HINCRBY', ST, 'stalled', #expired)
  if dead > 0 then
    redis.call('HINCRBY', ST, 'dead', dead)
    trim(X, keepX, keepXAge, base, now)
  end
end

-- 3. due delayed and retrying jobs to waiting
for _, z in ipairs({D, RT}) do
  local due = redis.call('ZRANGEBYSCORE', z, '-inf', now, 'LIMIT', 0, 1000)
  if #due > 0 then
    redis.call('ZREM', z, unpack(due))
    for _, id in ipairs(due) do
      local rec = redis.call('GET', base .. 'j:' .. id)
      local prio = rec and header(rec)
      if prio then push_wait(id, prio, false)
      elseif rec then bury(base, id, rec, X, ST, EV, maxlen, now)
      else redis.call('DEL', base .. 's:' .. id) end
    end
  end
end

-- 4. fetch
local jobs = {}
local rlWake = nil
local paused = redis.call('HGET', M, 'paused') == '1'
if count > 0 and not paused and rlMax > 0 then
  redis.call('ZREMRANGEBYSCORE', RL, '-inf', now - rlPeriod)
  local allowed = rlMax - redis.call('ZCARD', RL)
  if allowed < count then
    if allowed < 0 then allowed = 0 end
    count = allowed
    local oldest = redis.call('ZRANGE', RL, 0, 0, 'WITHSCORES')
    if oldest[2] then rlWake = tonumber(oldest[2]) + rlPeriod - now + 1 end
  end
end
if count > 0 and not paused then
  -- candidates in run order (priority above 0, then the FIFO list, then below 0), read before anything is taken
  -- out, so every record is validated first and each job is removed from exactly where it was
  local cands = {}
  local function add(ids, from) for _, id in ipairs(ids) do cands[#cands + 1] = {id, from} end end
  add(redis.call('ZRANGEBYSCORE', PW, '-inf', '(4398046511104000', 'LIMIT', 0, count), 'z')
  if #cands < count then add(redis.call('LRANGE', W, 0, count - #cands - 1), 'l') end
  if #cands < count then add(redis.call('ZRANGEBYSCORE', PW, '4398046511104000', '+inf', 'LIMIT', 0, count - #cands), 'z') end
  local zrem, lpop = {}, 0
  for _, c in ipairs(cands) do
    local id = c[1]
    if c[2] == 'l' then lpop = lpop + 1 else zrem[#zrem + 1] = id end
    local sk = base .. 's:' .. id
    local rec = redis.call('GET', base .. 'j:' .. id)
    local prio, _, to
    if rec then prio, _, to = header(rec) end
    if not rec then
      redis.call('DEL', sk)
    elseif not prio then
      bury(base, id, rec, X, ST, EV, maxlen, now)
    else
      local f = redis.call('HMGET', sk, 'a', 'f', 'h')
      local att = tonumber(f[1] or '0') + 1
      local tok = tonumber(f[2] or '0') + 1
      local dl = ''
      if to > 0 then
        dl = string.format('%d', now + to)
        redis.call('HSET', sk, 'a', att, 'f', tok, 'st', nows, 'w', worker, 'h', hist(f[3], 'a'), 'dl', dl)
      else
        redis.call('HSET', sk, 'a', att, 'f', tok, 'st', nows, 'w', worker, 'h', hist(f[3], 'a'))
      end
      redis.call('ZADD', A, now + lease, id)
      if rlMax > 0 then redis.call('ZADD', RL, now, id .. ':' .. tok) end
      event('active', id, 'a', string.format('%d', att))
      jobs[#jobs + 1] = {id, rec, att, tok, dl}
    end
  end
  if #zrem > 0 then redis.call('ZREM', PW, unpack(zrem)) end
  if lpop > 0 then redis.call('LPOP', W, lpop) end
end

-- 5. wake-ups: chain-wake another idle worker while work remains; tell this one when to look again
if not paused and (redis.call('LLEN', W) > 0 or redis.call('ZCARD', PW) > 0) then
  if rlWake == nil and redis.call('LLEN', MK) == 0 then redis.call('RPUSH', MK, '1') end
end
local wake = -1
if #jobs < tonumber(ARGV[5]) then
  for _, z in ipairs({D, RT, A}) do
    local f = redis.call('ZRANGE', z, 0, 0, 'WITHSCORES')
    if f[2] then
      local w = tonumber(f[2]) - now
      if w < 1 then w = 1 end
      if wake < 0 or w < wake then wake = w end
    end
  end
  if rlWake and (wake < 0 or rlWake < wake) then wake = rlWake end
end
local reply = {statuses, wake}
for _, j in ipairs(jobs) do reply[#reply + 1] = j end
return reply
