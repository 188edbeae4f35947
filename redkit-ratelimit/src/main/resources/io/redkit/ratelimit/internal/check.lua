-- check.lua: one rate-limit check over one or more limits, atomic and all-or-nothing; or a batch
-- of single-limit checks, run one after the other as if each were its own call.
--
-- Every limit is evaluated first without writing anything; only when every limit admits the
-- request (and this is not an inspection) is the cost taken from every limit. A denied request
-- therefore consumes nothing, from any limit.
--
-- KEYS[i]    state key of limit i; all keys share one hash tag (one Cluster slot)
-- ARGV[1]    now in integer microseconds, or -1 to read the Redis server's TIME
-- ARGV[2]    cost: units the request takes from every limit (>= 1)
-- ARGV[3]    1 = inspect only (write nothing), 0 = consume when every limit admits, 3 = reserve:
--            as 0, with the settle tokens below appended to the reply
-- ARGV[4+4(i-1) .. 7+4(i-1)] for limit i:
--            algorithm (1 exact sliding window, 2 sliding window counter, 3 GCRA),
--            limit (units per window), window in microseconds, burst (GCRA only, else 0)
-- Reply:     { allowed (1|0), now in microseconds,
--              then for each limit i: allowed (1|0), remaining, reset-after us, retry-after us }
--            remaining counts after this request's cost when it was consumed;
--            reset-after is the time until the limit is wholly available again;
--            retry-after is 0 when limit i admits the request, else the wait until it would.
--            Reserve (ARGV[3] = 3) appends, for each limit i, two tokens release.lua needs to give
--            the cost back (0, 0 when nothing was taken): exact window: the score the units were
--            recorded at, 0; counter: the start of the bucket they were added to, 0; GCRA: the TAT
--            written, and how far this request moved it.
--
-- Batch (ARGV[3] = 2): ARGV[2] = the number of checks m; check j's state key is KEYS[j] (keys may
-- repeat; on Cluster all share one slot) and its cost, algorithm, limit, window and burst are
-- ARGV[4+5(j-1) .. 8+5(j-1)]. Check j runs after check j-1 has written, at the same now (the exact
-- window gives each admission its own score all the same), exactly as m separate calls in that
-- order would. Reply: the m single-limit replies above (6 numbers each), one after the other; a
-- check that raised an error (e.g. its key holds another type) replies { -1, the error, 0, 0, 0, 0 }
-- and the others are unaffected. The counter's and GCRA's state is read once per key and batch
-- and written once at its end (the last value, with the expiry the last SET ... PX of the sequence
-- would have left, or KEEPTTL): the same value and expiry as m calls, for 2 commands per key.
--
-- State per algorithm:
--   1: a ZSET of admitted units scored by admission time in whole us; a unit counts while its
--      score is > now - window (at most `limit` such entries). Scores grow strictly per key: a
--      request is recorded at max(now, newest score + 1), so members are unique (a one-unit
--      request's member is its score, unit u of a larger request's is "<score>:<u>", as every unit's
--      was before; the script reads scores back from members) and a clock that stands still or
--      steps back can neither merge two units nor let an earlier trim hide a unit from a later
--      window. Expired entries are trimmed only by an
--      admitted request (whose score is >= the now it trimmed with), and only when there may be
--      some and the log would otherwise grow past `peek` entries (below) or past the limit, at most
--      MAX_TRIM per admission (the oldest): it never holds more than `limit` entries, and expired
--      ones only in a log of at most `peek` or, above a limit of MAX_TRIM, while a trim is under way.
--      PEXPIRE = newest score + window, so an idle key goes when its last unit leaves the window.
--      One read, ZREVRANGE of the newest `peek` entries, gives the count, the newest entry and the
--      entry a denied request waits for; only a longer log needs ZCOUNT (and ZREVRANGE at one rank
--      for a denial). So a one-unit check on a short log runs ZREVRANGE, ZADD and PEXPIRE when
--      admitted (ZREMRANGEBYSCORE too when it trims) and ZREVRANGE alone when denied, after TIME
--      when the caller passed no clock.
--   2: a STRING "<current bucket start us>:<units in it>:<units in the previous bucket>", expiring
--      when the current bucket stops mattering: SET ... PX when a bucket starts, SET ... KEEPTTL for
--      an admission in the stored bucket (one write either way; a hash needed HSET plus PEXPIRE).
--      A value that does not read as such (none written by this script) counts as no state.
--   3: a STRING holding the theoretical arrival time (TAT) in us, PEXPIRE = TAT - now (SET PX).
--
-- Numbers go to redis.call as Lua numbers: Redis prints them with 17 significant digits (newer
-- versions: the shortest form that reads back the same), so whole microseconds survive without
-- string.format.

-- how many of an exact-window log's newest entries one read fetches: a log no longer than that is
-- seen whole, so the read gives its count, its newest entry, whether it holds expired entries and
-- the entry a denied request waits for. Under SMALL_LIMIT the whole log (it never holds more than
-- `limit` entries unless the limit was lowered); above, the newest four: enough for a key checked
-- now and then, and little wasted on a busy key's long log, which ZCOUNT counts instead
local SMALL_LIMIT = 8
local LONG_PEEK = 4
-- the most expired exact-window entries one admission removes: with RateLimiter's
-- MAX_EXACT_UNITS_PER_CHECK (1,000) as the most it adds, one check's writes stay bounded
local MAX_TRIM = 1000

-- the score of an exact-window entry, from its member: "<score>" or "<score>:<unit>". Reading the
-- members alone spares Redis formatting every score as a double and halves the reply.
local function score_of(member)
  return tonumber(member) or tonumber(string.match(member, '^[^:]*'))
end

local function ms_ceil(us)
  local ms = math.ceil(us / 1000)
  if ms < 1 then ms = 1 end
  return ms
end

-- one check of `cost` units over the limits whose state keys are `keys`; limit i's algorithm,
-- limit, window and burst are args[base + 4(i-1) .. base + 3 + 4(i-1)]. Appends its reply to `out`.
-- a batch's string states: key -> { v = value read or written (false: none), px = expiry in ms
-- of the last SET ... PX (nil: KEEPTTL), dirty = written }; nil outside a batch (read and write at once)
local memo = nil

local function get_string(key)
  if memo == nil then return redis.call('GET', key) end
  local m = memo[key]
  if m == nil then
    m = { v = redis.call('GET', key) }
    memo[key] = m
  end
  return m.v
end

-- px: expiry in ms, or nil to keep the key's expiry (KEEPTTL)
local function set_string(key, value, px)
  if memo == nil then
    if px then redis.call('SET', key, value, 'PX', px) else redis.call('SET', key, value, 'KEEPTTL') end
    return
  end
  local m = memo[key]
  m.v = value
  m.dirty = true
  if px then m.px = px end
end

local function flush_strings()
  for key, m in pairs(memo) do
    if m.dirty then
      if m.px then redis.call('SET', key, m.v, 'PX', m.px) else redis.call('SET', key, m.v, 'KEEPTTL') end
    end
  end
end

-- a sliding-window counter's state at now: the current bucket's start, the stored bucket's start
-- (nil: none), the units in the current and the previous bucket, and the weighted estimate
local function counter_state(key, now, window)
  local cur = now - (now % window)
  local v = get_string(key)
  local start, c, p
  if v then
    local a, b, d = string.match(v, '^(%d+):(%d+):(%d+)$')
    start = tonumber(a); c = tonumber(b) or 0; p = tonumber(d) or 0
  end
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
  return cur, start, c, p, c + p * ((window - elapsed) / window)
end

-- how long until a counter denial of `cost` units would be admitted
local function counter_retry(cur, c, p, limit, cost, window, now)
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
  return math.ceil(at - now) + 1
end

local function check(now, cost, inspect, keys, args, first, out, tokens)
  local n = #keys

  -- phase 1: evaluate every limit, write nothing
  local st = {}
  local all = true
  for i = 1, n do
    local base = first + (i - 1) * 4
    local alg = tonumber(args[base])
    local limit = tonumber(args[base + 1])
    local window = tonumber(args[base + 2])
    local key = keys[i]
    local s = { alg = alg, limit = limit, window = window, key = key, retry = 0 }

    if alg == 1 then
      local edge = now - window
      local peek = LONG_PEEK
      if limit < SMALL_LIMIT then peek = limit + 1 end
      -- newest first; live entries are a prefix, so all are live when the oldest one read is
      local top = redis.call('ZREVRANGE', key, 0, peek - 1)
      local seen = #top
      local live = 0
      if seen > 0 and score_of(top[seen]) > edge then
        live = seen
      else
        while live < seen and score_of(top[live + 1]) > edge do
          live = live + 1
        end
      end
      local count = live
      -- expired entries may exist unless the whole log was seen and all of it is live
      local stale = live < seen or seen == peek
      if live == peek then
        -- a longer log: count its live entries (scores are whole us, so > edge is >= edge + 1)
        count = redis.call('ZCOUNT', key, edge + 1, '+inf')
      end
      s.count = count
      -- an admission trims expired entries when there may be some and the log would otherwise grow
      -- past what one read fetches, or past the limit; until then they cost a few bytes, not a write
      s.trim = stale and (seen + cost > peek or seen + cost > limit)
      s.newest = seen > 0 and score_of(top[1]) or 0
      s.ok = count + cost <= limit
      if not s.ok then
        -- the (count + cost - limit)-th oldest live unit must leave the window first: counted from
        -- the newest, position limit - cost (0-based), always live as it is below count
        local d = limit - cost
        local member
        if d < live then
          member = top[d + 1]
        else
          member = redis.call('ZREVRANGE', key, d, d)[1]
        end
        s.retry = score_of(member) + window - now
        if s.retry < 1 then s.retry = 1 end
      end

    elseif alg == 2 then
      local cur, start, c, p, est = counter_state(key, now, window)
      s.cur = cur; s.c = c; s.p = p; s.est = est
      -- the stored bucket is the one written: only its count changes, its expiry stands
      s.same = start == cur
      s.ok = est + cost <= limit
      if not s.ok then
        s.retry = counter_retry(cur, c, p, limit, cost, window, now)
      end

    else
      local t = window / limit
      local tat = tonumber(get_string(key))
      if tat == nil or tat < now then tat = now end
      local burst = tonumber(args[base + 3])
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
  out[#out + 1] = all and 1 or 0
  out[#out + 1] = now
  for i = 1, n do
    local s = st[i]
    local remaining, reset
    local taken = commit and cost or 0
    if s.alg == 1 then
      local newest = s.newest
      if commit then
        if s.trim then
          if s.limit <= MAX_TRIM then
            -- the log holds at most `limit` entries: one trim removes at most MAX_TRIM
            redis.call('ZREMRANGEBYSCORE', s.key, '-inf', now - s.window)
          else
            -- a longer log (after an idle spell all of it may have expired): the oldest MAX_TRIM
            -- expired entries, the rest by later admissions (each removes at least the cost it adds,
            -- so the log still never outgrows the limit)
            local expired = redis.call('ZCOUNT', s.key, '-inf', now - s.window)
            if expired > MAX_TRIM then expired = MAX_TRIM end
            if expired > 0 then redis.call('ZREMRANGEBYRANK', s.key, 0, expired - 1) end
          end
        end
        local at = now
        if newest >= at then at = newest + 1 end
        if cost == 1 then
          redis.call('ZADD', s.key, at, at)
        else
          -- one member per unit; ZADD in chunks so a large cost stays within Lua's unpack limit
          local prefix = string.format('%.0f', at) .. ':'
          local j = 1
          while j <= cost do
            local args = {}
            local last = math.min(cost, j + 499)
            for u = j, last do
              args[#args + 1] = at
              args[#args + 1] = prefix .. u
            end
            redis.call('ZADD', s.key, unpack(args))
            j = last + 1
          end
        end
        redis.call('PEXPIRE', s.key, ms_ceil(at + s.window - now))
        newest = at
        if tokens then tokens[#tokens + 1] = at; tokens[#tokens + 1] = 0 end
      end
      remaining = s.limit - s.count - taken
      if s.count + taken > 0 then reset = newest + s.window - now else reset = 0 end

    elseif s.alg == 2 then
      local c = s.c + taken
      if commit then
        local state = string.format('%.0f:%.0f:%.0f', s.cur, c, s.p)
        if s.same then
          set_string(s.key, state, nil)
        else
          set_string(s.key, state, ms_ceil(s.cur + 2 * s.window - now))
        end
        if tokens then tokens[#tokens + 1] = s.cur; tokens[#tokens + 1] = 0 end
      end
      remaining = math.floor(s.limit - s.est - taken)
      if c > 0 then reset = s.cur + 2 * s.window - now
      elseif s.p > 0 then reset = s.cur + s.window - now
      else reset = 0 end

    else
      local tat = s.tat
      if commit then
        tat = s.newtat
        set_string(s.key, tat, ms_ceil(tat - now))
        if tokens then tokens[#tokens + 1] = s.newtat; tokens[#tokens + 1] = s.newtat - s.tat end
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
end

-- a single-limit check's reply at out[k+1 .. k+6], as check() writes it
local function reply_one(out, k, now, ok, remaining, reset, retry)
  if remaining < 0 then remaining = 0 end
  if reset < 0 then reset = 0 end
  local a = ok and 1 or 0
  out[k + 1] = a
  out[k + 2] = now
  out[k + 3] = a
  out[k + 4] = remaining
  out[k + 5] = math.ceil(reset)
  out[k + 6] = retry
end

-- check() for one GCRA limit and no inspection, writing its reply at out[k+1 .. k+6]: the same
-- arithmetic and writes, without the tables the general path builds (about 40 % less Redis time per
-- check in a batch). BatchScriptTest holds both paths to the same replies and state.
local function gcra_one(now, cost, key, limit, window, burst, out, k)
  local t = window / limit
  local tat = tonumber(get_string(key))
  if tat == nil or tat < now then tat = now end
  local newtat = math.ceil(tat + cost * t)
  local tolerance = burst * t
  local ok = newtat - now <= tolerance + 0.5
  local retry = 0
  if ok then
    tat = newtat
    set_string(key, tat, ms_ceil(tat - now))
  else
    retry = math.ceil(newtat - tolerance - now)
    if retry < 1 then retry = 1 end
  end
  reply_one(out, k, now, ok, math.floor((tolerance - (tat - now)) / t + 0.000001), math.ceil(tat - now), retry)
end

-- the same for one sliding-window-counter limit
local function counter_one(now, cost, key, limit, window, out, k)
  local cur, start, c, p, est = counter_state(key, now, window)
  local ok = est + cost <= limit
  local retry = 0
  local taken = 0
  if ok then
    taken = cost
    local state = string.format('%.0f:%.0f:%.0f', cur, c + cost, p)
    if start == cur then
      set_string(key, state, nil)
    else
      set_string(key, state, ms_ceil(cur + 2 * window - now))
    end
  else
    retry = counter_retry(cur, c, p, limit, cost, window, now)
  end
  local reset = 0
  if c + taken > 0 then reset = cur + 2 * window - now
  elseif p > 0 then reset = cur + window - now end
  reply_one(out, k, now, ok, math.floor(limit - est - taken), reset, retry)
end

local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = t[1] * 1000000 + t[2]
end
local out = {}
if ARGV[3] == '2' then
  memo = {}
  for j = 1, tonumber(ARGV[2]) do
    local base = 4 + (j - 1) * 5
    local size = (j - 1) * 6
    local ok, err
    local alg = ARGV[base + 1]
    if alg == '3' then
      ok, err = pcall(gcra_one, now, tonumber(ARGV[base]), KEYS[j], tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]),
        tonumber(ARGV[base + 4]), out, size)
    elseif alg == '2' then
      ok, err = pcall(counter_one, now, tonumber(ARGV[base]), KEYS[j], tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]),
        out, size)
    else
      ok, err = pcall(check, now, tonumber(ARGV[base]), false, { KEYS[j] }, ARGV, base + 1, out)
    end
    if not ok then
      for i = #out, size + 1, -1 do out[i] = nil end
      if type(err) == 'table' then err = err.err end
      out[size + 1] = -1
      out[size + 2] = tostring(err)
      out[size + 3] = 0; out[size + 4] = 0; out[size + 5] = 0; out[size + 6] = 0
    end
  end
  flush_strings()
elseif ARGV[3] == '3' then
  local tokens = {}
  check(now, tonumber(ARGV[2]), false, KEYS, ARGV, 4, out, tokens)
  for i = 1, 2 * #KEYS do out[#out + 1] = tokens[i] or 0 end
else
  check(now, tonumber(ARGV[2]), ARGV[3] == '1', KEYS, ARGV, 4, out)
end
return out
