-- GET /api/products/{id} with id drawn uniformly from 1..N (the hot set), N = first script
-- argument (default 1000). Usage: wrk ... -s product.lua http://host:port -- 1000
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local n = 1000

function init(args)
  n = tonumber(args[1]) or n
  seed_random()
end

function request()
  return wrk.format("GET", "/api/products/" .. math.random(1, n))
end
