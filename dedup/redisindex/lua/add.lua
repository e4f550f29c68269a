-- add.lua: returns the entries of bucket ARGV[1] in hash KEYS[1], less
-- those older than the cutoff ARGV[3], and appends entry ARGV[2]
-- unless its document is there already or the bucket holds ARGV[4].
-- ARGV[5] > 0 sets the hash's TTL in milliseconds. A bucket that holds
-- ARGV[4] entries without ARGV[2]'s document returns none unless
-- ARGV[6] is 1 (an open key; see stage.Banding.Postings).
local cur = redis.call('HGET', KEYS[1], ARGV[1]) or ''
local me, cutoff, cap = ARGV[2], ARGV[3], tonumber(ARGV[4])
local myid = string.sub(me, 1, 8)
local keep, n, mine = {}, 0, false
for i = 1, #cur, 12 do
  local e = string.sub(cur, i, i + 11)
  if string.sub(e, 1, 8) == myid then
    mine = true
    n = n + 1
    keep[n] = e
  elseif string.sub(e, 9, 12) >= cutoff then
    n = n + 1
    keep[n] = e
  end
end
local before = table.concat(keep)
if not mine and n >= cap and ARGV[6] ~= '1' then before = '' end
local changed = n * 12 ~= #cur
if not mine and n < cap then
  n = n + 1
  keep[n] = me
  changed = true
end
if n == 0 then
  if #cur > 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
elseif changed then
  redis.call('HSET', KEYS[1], ARGV[1], table.concat(keep))
end
if tonumber(ARGV[5]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return before
