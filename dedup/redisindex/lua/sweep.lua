-- sweep.lua: drops the entries older than ARGV[1] from every bucket of
-- hash KEYS[1].
local all = redis.call('HGETALL', KEYS[1])
local removed = 0
for i = 1, #all, 2 do
  local cur = all[i + 1]
  local keep, n = {}, 0
  for j = 1, #cur, 12 do
    local e = string.sub(cur, j, j + 11)
    if string.sub(e, 9, 12) >= ARGV[1] then
      n = n + 1
      keep[n] = e
    else
      removed = removed + 1
    end
  end
  if n == 0 then
    redis.call('HDEL', KEYS[1], all[i])
  elseif n * 12 < #cur then
    redis.call('HSET', KEYS[1], all[i], table.concat(keep))
  end
end
return removed
