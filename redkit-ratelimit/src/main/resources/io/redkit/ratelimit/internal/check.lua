-- check.lua: one rate-limit check over one or more limits, atomic and all-or-nothing.
--
-- Every limit is evaluated first without writing anything; only when every limit admits the
-- request (and this is not an inspection) is the cost taken from every limit. A denied request
-- therefore consumes nothing, from any limit.
--
-- KEYS[i]    state key of limit i; all keys share one hash tag (one Cluster slot)
-- ARGV[1]    now in integer microseconds, or -1 to read the Redis server's TIME
-- ARGV[2]    cost: units the request takes from every limit (>= 1)
-- ARGV[3]    1 = inspect only (write nothing), 0 = consume when every limit admits
-- ARGV[4+4(i-1) .. 7+4(i-1)] for limit i:
--            algorithm (1 exact sliding window, 2 sliding window counter, 3 GCRA),
--            limit (units per window), window in microseconds, burst (GCRA only, else 0)
-- Reply:     { allowed (1|0), now in microseconds,
--              then for each limit i: allowed (1|0), remaining, reset-after us, retry-after us }
--            remaining counts after this request's cost when it was consumed;
--            reset-after is the time until the limit is wholly available again;
--            retry-after is 0 when limit i admits the request, else the wait until it would.
--
-- State per algorithm:
--   1: a ZSET of admitted units scored by admission time in us (members unique, at most `limit`
--      live entries), trimmed on consumption, PEXPIRE = window;
--   2: a HASH {s = current bucket start us, c = units in it, p = units in the previous bucket},
--      PEXPIRE = until the current bucket stops mattering;
--   3: a STRING holding the theoretical arrival time (TAT) in us, PEXPIRE = TAT - now.

local function fmt(n)
  return string.format('%.0f', n)
end

local function ms_ceil(us)
  local ms = math.ceil(us / 1000)
  if ms < 1 then ms = 1 end
  return ms
end

local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local cost = tonumber(ARGV[2])
local inspect = ARGV[3] == '1'
local n = #KEYS

-- phase 1: evaluate every limit, write nothing
local st = {}
local all = true
for i = 1, n do
  local base = 4 + (i - 1) * 4
  local alg = tonumber(ARGV[base])
  local limit = tonumber(ARGV[base + 1])
  local window = tonumber(ARGV[base + 2])
  local burst = tonumber(ARGV[base + 3])
  local key = KEYS[i]
  local s = { alg = alg, limit = limit, window = window, key = key, retry = 0 }

  if alg == 1 then
    local from = '(' .. fmt(now - window)
    local count = redis.call('ZCOUNT', key, from, '+inf')
    local newest = 0
    if count > 0 then
      newest = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
    end
    s.count = count
    s.newest = newest
    s.ok = count + cost <= limit
    if not s.ok then
      -- the (count + cost - limit)-th oldest live unit must leave the window first
      local e = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', count + cost - limit - 1, 1)
      s.retry = tonumber(e[2]) + window - now
      if s.retry < 1 then s.retry = 1 end
    end

  elseif alg == 2 then
    local cur = now - (now % window)
    local h = redis.call('HMGET', key, 's', 'c', 'p')
    local start = tonumber(h[1])
    local c = tonumber(h[2]) or 0
    local p = tonumber(h[3]) or 0
    if start == nil then
      c = 0; p = 0
    elseif start == cur then
      -- same bucket
    elseif start == cur - window then
      p = c; c = 0
    elseif start > cur then
      -- the clock went back: stay in the stored bucket, counting it in full
      cur = start
    else
      c = 0; p = 0
    end
    local elapsed = now - cur
    if elapsed < 0 then elapsed = 0 end
    local est = c + p * ((window - elapsed) / window)
    s.cur = cur; s.c = c; s.p = p; s.est = est
    s.ok = est + cost <= limit
    if not s.ok then
      local room = limit - c - cost
      local at
      if room >= 0 and p > 0 then
        -- within this bucket, once the previous bucket's weight has decayed enough
        at = cur + window * (1 - room / p)
      else
        -- in the next bucket, where this bucket becomes the previous one
        local e2 = 0
        if c > limit - cost then e2 = window * (1 - (limit - cost) / c) end
        at = cur + window + e2
      end
      s.retry = math.ceil(at - now) + 1
    end

  else
    local t = window / limit
    local tat = tonumber(redis.call('GET', key))
    if tat == nil or tat < now then tat = now end
    local newtat = math.ceil(tat + cost * t)
    local tolerance = burst * t
    s.tat = tat; s.newtat = newtat; s.t = t; s.tolerance = tolerance
    s.ok = newtat - now <= tolerance + 0.5
    if not s.ok then
      s.retry = math.ceil(newtat - tolerance - now)
      if s.retry < 1 then s.retry = 1 end
    end
  end

  if not s.ok then all = false end
  st[i] = s
end

local commit = all and not inspect

-- phase 2: consume from every limit, only when all of them admit
local out = { all and 1 or 0, now }
for i = 1, n do
  local s = st[i]
  local remaining, reset
  local taken = commit and cost or 0
  if s.alg == 1 then
    local newest = s.newest
    if commit then
      redis.call('ZREMRANGEBYSCORE', s.key, '-inf', fmt(now - s.window))
      local at = now
      if newest >= at then at = newest + 1 end
      -- one member per unit, unique because `at` grows strictly per key; ZADD in chunks
      -- so a large cost stays within Lua's unpack limit
      local score = fmt(at)
      local j = 1
      while j <= cost do
        local args = {}
        local last = math.min(cost, j + 499)
        for u = j, last do
          args[#args + 1] = score
          args[#args + 1] = score .. ':' .. u
        end
        redis.call('ZADD', s.key, unpack(args))
        j = last + 1
      end
      redis.call('PEXPIRE', s.key, ms_ceil(at + s.window - now))
      newest = at
    end
    remaining = s.limit - s.count - taken
    if s.count + taken > 0 then reset = newest + s.window - now else reset = 0 end

  elseif s.alg == 2 then
    local c = s.c + taken
    if commit then
      redis.call('HSET', s.key, 's', fmt(s.cur), 'c', fmt(c), 'p', fmt(s.p))
      redis.call('PEXPIRE', s.key, ms_ceil(s.cur + 2 * s.window - now))
    end
    remaining = math.floor(s.limit - s.est - taken)
    if c > 0 then reset = s.cur + 2 * s.window - now
    elseif s.p > 0 then reset = s.cur + s.window - now
    else reset = 0 end

  else
    local tat = s.tat
    if commit then
      tat = s.newtat
      redis.call('SET', s.key, fmt(tat), 'PX', ms_ceil(tat - now))
    end
    remaining = math.floor((s.tolerance - (tat - now)) / s.t + 0.000001)
    reset = math.ceil(tat - now)
  end

  if remaining < 0 then remaining = 0 end
  if reset < 0 then reset = 0 end
  out[#out + 1] = s.ok and 1 or 0
  out[#out + 1] = remaining
  out[#out + 1] = math.ceil(reset)
  out[#out + 1] = s.retry
end
return out
