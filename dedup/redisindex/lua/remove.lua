-- remove.lua: drops the entries of id hash ARGV[2] from bucket ARGV[1].
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local keep, n, removed = {}, 0, 0
for i = 1, #cur, 12 do
  local e = string.sub(cur, i, i + 11)
  if string.sub(e, 1, 8) == ARGV[2] then
    removed = removed + 1
  else
    n = n + 1
    keep[n] = e
  end
end
if n == 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
elseif removed > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], table.concat(keep))
end
return removed
