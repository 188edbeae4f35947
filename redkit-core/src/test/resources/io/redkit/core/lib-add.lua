local function add(key, n)
  return redis.call('INCRBY', key, n)
end
