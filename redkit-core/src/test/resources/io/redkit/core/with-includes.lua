-- adds ARGV[1] to KEYS[1] twice through helpers from two included files
--#include lib-add.lua
--#include lib-twice.lua
return twice(KEYS[1], tonumber(ARGV[1]))
