-- A workload for Lua 5.4 (tests/interpreters.rs): recursion, tables, sorting, string patterns,
-- formatting, integer and float arithmetic, errors, coroutines, closures, utf8 and string.pack.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local t = {}
for i = 1, 100000 do t[i] = (i * 7919) % 10007 end
table.sort(t)
local s = 0
for k, v in ipairs(t) do s = s + v * (k % 3) end
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do words[#words + 1] = w:upper() end
print(fib(22), s, t[1], t[#t], table.concat(words, ","))
print(string.format("%.10g %q %5.2f %x", math.pi, "a\nb", 2 / 3, 255), 7 // 2, 7.0 // 2, 2 ^ 53, -7 % 3)
print(math.maxinteger + 1 == math.mininteger, math.tointeger(3.0), 1 / 0, -1 / 0, math.floor(-2.5))
print(select("#", pcall(error, { code = 1 })), tostring(nil), utf8.char(9731), string.pack("<i4", 7):byte(1, -1))
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1); return b * 2 end)
print(co(1), co(10))
local function counter() local n = 0; return function() n = n + 1; return n end end
local c = counter(); c(); c()
print(c(), ("x"):rep(3, "-"), ("hello world"):gsub("o", "0"), ("%d items"):format(3))
local ok, err = pcall(function() local x = nil; return x.field end)
print(ok, (err:gsub("^.-:%d+: ", "")))
print("end of lua_workload.lua")
