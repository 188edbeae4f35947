--#include lib-add.lua
local function twice(key, n)
  add(key, n)
  return add(key, n)
end
