-- GET /api/products?category=C&page=P&size=S rotating over the 8 seeded categories and pages 1..P
-- (every thread starts at a different place). Arguments: pages (default 5), size (default 20).
-- Usage: wrk ... -s category.lua http://host:port -- 5 20
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local categories = { "books", "electronics", "garden", "home", "kitchen", "outdoors", "sports", "toys" }
local pages, size, i = 5, 20, 0

function init(args)
  pages = tonumber(args[1]) or pages
  size = tonumber(args[2]) or size
  seed_random()
  i = math.random(0, #categories * pages - 1)
end

function request()
  i = (i + 1) % (#categories * pages)
  local category = categories[(i % #categories) + 1]
  local page = math.floor(i / #categories) + 1
  return wrk.format("GET", "/api/products?category=" .. category .. "&page=" .. page .. "&size=" .. size)
end
