/**
 * The one Lua script behind both Redis feature stores (Upstash REST and TCP). It is a TypeScript
 * string so that Workers can import it; there is no hand-edited .lua twin.
 *
 * Key layout (P = the store's prefix, default `vigil:`):
 *   P c:{customer_id}     customer state: CUSTOMER_STATE_LENGTH float64, little-endian (1,448 B)
 *   P t:{terminal_id}     terminal state: TERMINAL_STATE_LENGTH float64, little-endian (888 B)
 *   P tx:{transaction_id} record, a string "LV;@TIME;AMOUNT;TPLUS;TMINUS;CPLUS;CMINUS;TLEN;TKEYCKEY":
 *                         L the label in force (n none, f fraud, l legitimate), V the time of
 *                         that verdict (decimal epoch µs, core's verdictTimeUs; empty when none,
 *                         and in records labelled before verdict times were kept: such a verdict
 *                         is older than any dated one); a label rewrites the record, TTL kept.
 *                         TIME and AMOUNT the transaction's event time
 *                         (epoch s) and amount as the adapter wrote them (Number#toString, so
 *                         equal numbers are equal strings); TPLUS / TMINUS core's
 *                         labelOps(time, ±1) programs for the terminal, CPLUS / CMINUS its
 *                         customerLabelOps(time, ±1) for the card; then the terminal state's key
 *                         (TLEN bytes) and the customer state's key (last: keys may hold any
 *                         byte). TIME, AMOUNT and the two keys are the payload a repeated id is
 *                         compared with (the port's `conflict`); the '@' marks this layout (a
 *                         label program starts with a digit). Records of the earlier layouts are
 *                         still read: "L;TPLUS;TMINUS;CPLUS;CMINUS;TLEN;TKEYCKEY" (no payload)
 *                         and, before the card's label, "L;PLUS;MINUS;TERMINAL_KEY" (terminal
 *                         only). They cannot tell a reused id from a retry, so a repeat of one
 *                         replays as it always did; they expire within the record TTL.
 *   P ans:{transaction_id} the saved answer (opaque string), expiring with its record
 *   P d:{device_id}       velocity state of a device: ENTITY_VELOCITY_LENGTH float64 (520 B)
 *   P ip:{ip}             velocity state of an IP: the same layout
 *   P cv:{customer_id}    the customer's velocity state: CUSTOMER_VELOCITY_LENGTH float64 (520 B)
 *   P l:{kind}:{value}    hash of the lists the value is on: field = list name, value = expiry
 *                         (epoch ms, wall clock; 0 = never); the key expires with its last
 *                         expiring item (PEXPIREAT), or never while an item never expires
 * States expire after ARGV[4] seconds without a write, device and IP velocity states after the
 * step's velocity TTL; a record ARGV[3] seconds after the step that created it (see README.md).
 *
 * Keys are built here from the prefix and the ids rather than passed in KEYS: a label reads its
 * terminal key from the record, so the keys cannot all be declared upfront. That is fine on a
 * single-shard Redis (Upstash, a plain Redis), not on Redis Cluster.
 *
 * ARGV, every call:
 *   1 mode: 'step' | 'label' | 'lists' | 'cursor' | 'flush'   2 prefix   3 record TTL s   4 state TTL s
 *   5 number of piggy-backed answers A, then A pairs (transaction_id, answer), saved first, if
 *     the record exists and no answer is saved yet (the first answer stands)
 * step:  fresh customer, fresh terminal, fresh device/IP velocity, fresh customer velocity
 *        (sparse words, below), velocity TTL s, now (epoch ms, for list expiry), the list kinds
 *        to read (one '1' | '0' per kind: customer_id, terminal_id, device_id, ip, country — a
 *        kind no rule reads costs no HGETALL), N, then N × 17:
 *        transaction_id, customer_id, terminal_id, time, amount, customer ops, terminal ops,
 *        terminal label +1 ops, terminal label −1 ops, customer label +1 ops, customer label −1
 *        ops, device_id, ip, country ('' when absent), device, IP and customer velocity ops
 *        ('' when none, or when the step does not keep that state (StepOptions.velocity): the
 *        state is then neither read nor written, its counts 0 — the per-transaction form of a
 *        flag, and no program is computed or sent for it)
 *        → per tx {'f', customer bytes, terminal bytes, {6 velocity counts}, {list names}} (the
 *                 states BEFORE the tx, packed; the counts after it, VELOCITY_NAMES order; the
 *                 unexpired lists of its customer_id, terminal_id, device_id, ip, country,
 *                 of the kinds read)
 *                 | {'r', answer} | {'p'}
 *        or, when any tx reuses an id with another payload (against its record, or against its
 *        first occurrence in this call): per tx {'c'} (that one) | {'s'} (skipped), nothing
 *        written — every payload is checked before anything is folded.
 * label: N, then N × 3: transaction_id, 'f' | 'l', the verdict's time (decimal epoch µs)
 *        → {'ok', 1 applied | 0 unchanged, …} | {'unknown', 0-based index, …} (nothing applied);
 *        which verdict is in force is core's verdictSupersedes (core/src/ports/verdict-order.ts),
 *        mirrored by `supersedes` below and proven equal by the stores' contract suite.
 * lists: now (epoch ms), N, then N × 5: 'a' | 'r', kind, value, list, expiry (epoch ms, 0 =
 *        never), then the sync cursor ('' = none) → N. Applied in order (HSET / HDEL); then each
 *        touched hash drops its expired fields and takes the expiry of its last item; P lists:cursor
 *        becomes the cursor unless it holds a later one.
 * cursor: nothing more → P lists:cursor, or '' when none.
 * flush: nothing more → the number of answers received
 *
 * Op programs are comma-separated decimals written by JavaScript's Number#toString (the shortest
 * string that reads back as the same double), read by the script as the inside of a JSON array
 * with cjson (strtod, correctly rounded), so both sides hold the same bits. States are packed little-endian float64 (struct.pack '<d'), and
 * replies carry them as those raw bytes: the adapters read replies binary-safe (node-redis with
 * Buffers; Upstash's base64 replies decoded to bytes, see upstash-binary-request.ts). Encoding
 * them in Lua instead (hex, integer words) costs far more per transaction than raw bytes
 * (docs/measurements.md).
 * Fresh states go in as text, "count,index,word,index,word…" of their non-zero uint32 words.
 */
export const FEATURE_STORE_LUA = `
-- Vigil feature store (edge/src/stores/feature-store-lua.ts). Storage-side interpreter of core's
-- state-op programs (core/src/features/state-ops.ts): it knows five primitives, slots and
-- numbers, never features. What to add where is decided in TypeScript by core.

local mode = ARGV[1]
local prefix = ARGV[2]
local recordTtl = ARGV[3]
local stateTtl = ARGV[4]

-- A state is its packed bytes, a Lua string: little-endian float64, state index i (0-based, as
-- in core) at bytes 8i + 1 … 8i + 8. The primitives read and rewrite only the doubles they touch,
-- so a state is never unpacked whole.
local formats = {}
local function formatOf(n)
  local f = formats[n]
  if not f then
    f = '<' .. string.rep('d', n)
    formats[n] = f
  end
  return f
end

-- The n doubles at index i, as a Lua array v[1 … n].
local function read(s, i, n)
  return { struct.unpack(formatOf(n), s, i * 8 + 1) }
end

-- s with the doubles at index i replaced by v[1 … n].
local function write(s, i, v, n)
  return string.sub(s, 1, i * 8) .. struct.pack(formatOf(n), unpack(v, 1, n)) .. string.sub(s, (i + n) * 8 + 1)
end

-- A fresh state arrives as its little-endian uint32 words, listing only the non-zero ones:
-- "count,index,word,index,word…" (JSON request bodies cannot carry raw bytes).
local function blobOfSparseWords(text)
  -- All zeros (the velocity states): no word to place.
  if not string.find(text, ',', 1, true) then return string.rep('\\0', 4 * tonumber(text)) end
  -- cjson's C parser, as for op programs (below): a new card's or terminal's state is parsed on
  -- every call that meets one, ~100 numbers.
  local nums = cjson.decode('[' .. text .. ']')
  local n = nums[1]
  local w = {}
  for i = 1, n do w[i] = 0 end
  for k = 2, #nums - 1, 2 do w[nums[k] + 1] = nums[k + 1] end
  return struct.pack('<' .. string.rep('I4', n), unpack(w))
end

-- core's ringAdd, maxAt and labelAt (state-ops.ts), operation for operation, on the window of
-- doubles each touches (v[1] is s[tag], v[1 + f] is s[tag + f]); each returns the new state.
local function ringAdd(s, tag, day, width, add1, add2, add3, add4, maxField, maxValue)
  local n = math.max(width, maxField + 1)
  local v = read(s, tag, n)
  local cur = v[1]
  if cur > day then return s end
  if cur < day then
    v[1] = day
    for i = 1, width - 1 do v[1 + i] = 0 end
  end
  if width > 1 then v[2] = v[2] + add1 end
  if width > 2 then v[3] = v[3] + add2 end
  if width > 3 then v[4] = v[4] + add3 end
  if width > 4 then v[5] = v[5] + add4 end
  if maxField > 0 and maxValue > v[1 + maxField] then v[1 + maxField] = maxValue end
  return write(s, tag, v, n)
end

local function maxAt(s, index, value)
  local cur = struct.unpack('<d', s, index * 8 + 1)
  if value > cur then return write(s, index, { value }, 1) end
  return s
end

local function labelAt(s, tag, day, fraudField, countField, delta)
  local n = math.max(fraudField, countField) + 1
  local v = read(s, tag, n)
  if v[1] ~= day then return s end
  local f = v[1 + fraudField] + delta
  v[1 + fraudField] = math.min(math.max(0, f), v[1 + countField])
  return write(s, tag, v, n)
end

-- core's recentAdd and distinctAdd (state-ops.ts) on a velocity state held as a Lua table v
-- (state index k at v[k + 1]): bounded sets of stamps, 0 = empty; the new stamp (pair) replaces
-- the smallest stamp (the first of equals) if smaller; out[outIndex + 1] becomes how many stamps
-- are > since. One pass over the slots finds the smallest and counts, and the count is then
-- corrected for the one slot written: the same result as core's add-then-count, half the loop
-- (a device's and an IP's state are scanned on every transaction that carries them).
local function recentAdd(v, base, slots, stamp, since, out, outIndex)
  local first = base + 1
  local min = first
  local minV = v[first]
  local c = 0
  if minV > since then c = 1 end
  for i = first + 1, base + slots do
    local x = v[i]
    if x < minV then
      min = i
      minV = x
    end
    if x > since then c = c + 1 end
  end
  if minV < stamp then
    v[min] = stamp
    if minV > since then c = c - 1 end
    if stamp > since then c = c + 1 end
  end
  out[outIndex + 1] = c
end

local function distinctAdd(v, base, slots, hash, stamp, since, out, outIndex)
  local first = base + 1
  local found = nil
  local min = first
  local minS = v[first + 1]
  local c = 0
  for i = first, base + 2 * slots, 2 do
    local s = v[i + 1]
    if s > since then c = c + 1 end
    if not found then
      if v[i] == hash and s > 0 then
        found = i
      elseif s < minS then
        min = i
        minS = s
      end
    end
  end
  if found then
    local old = v[found + 1]
    if stamp > old then
      v[found + 1] = stamp
      if old <= since and stamp > since then c = c + 1 end
    end
  elseif minS < stamp then
    v[min] = hash
    v[min + 1] = stamp
    if minS > since then c = c - 1 end
    if stamp > since then c = c + 1 end
  end
  out[outIndex + 1] = c
end

-- An op program's numbers, as a Lua array. The text is comma-separated decimals, which is also
-- the inside of a JSON array: cjson's C parser reads it ~3× faster than string.gmatch and
-- tonumber (a 16-number program: ~1.2 µs against ~3.5 µs, in Redis 7 on the development machine,
-- and a transaction parses five programs), with the same strtod, so the same bits (-0 included).
local function program(text)
  local ok, p = pcall(cjson.decode, '[' .. text .. ']')
  if not ok or type(p) ~= 'table' then error('vigil: bad op program: ' .. string.sub(text, 1, 40)) end
  return p
end

-- A velocity program (core's velocity-state.ts: OP_MAX = 2 (3 numbers), OP_RECENT = 4 (6),
-- OP_DISTINCT = 5 (7)) applied in place to a velocity state held as a table; counts go into out.
-- Velocity states stay tables for the whole call and are packed once, at write-back: rewriting
-- them op by op made a new 520-byte string per op (every Lua string is interned), and a batch of
-- 100 cost ~240 µs of Redis time per transaction against ~125–150 µs this way (npm run bench,
-- feature-stores, on the 2-core development machine).
local function applyVelocityOps(v, text, out)
  local p = program(text)
  local i = 1
  local n = #p
  while i <= n do
    local op = p[i]
    if op == 2 and i + 2 <= n then
      if p[i + 2] > v[p[i + 1] + 1] then v[p[i + 1] + 1] = p[i + 2] end
      i = i + 3
    elseif op == 4 and i + 5 <= n then
      recentAdd(v, p[i + 1], p[i + 2], p[i + 3], p[i + 4], out, p[i + 5])
      i = i + 6
    elseif op == 5 and i + 6 <= n then
      distinctAdd(v, p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], out, p[i + 6])
      i = i + 7
    else
      error('vigil: unknown or truncated velocity op ' .. tostring(op) .. ' at ' .. (i - 1))
    end
  end
end

-- core's applyOps for the feature states: OP_RING_ADD = 1 (10 numbers), OP_MAX = 2 (3),
-- OP_LABEL = 3 (6).
local function applyOps(s, text)
  local p = program(text)
  local i = 1
  local n = #p
  while i <= n do
    local op = p[i]
    if op == 1 and i + 9 <= n then
      s = ringAdd(s, p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], p[i + 6], p[i + 7], p[i + 8], p[i + 9])
      i = i + 10
    elseif op == 2 and i + 2 <= n then
      s = maxAt(s, p[i + 1], p[i + 2])
      i = i + 3
    elseif op == 3 and i + 5 <= n then
      s = labelAt(s, p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5])
      i = i + 6
    else
      error('vigil: unknown or truncated op ' .. tostring(op) .. ' at ' .. (i - 1))
    end
  end
  return s
end

-- Working copies of the states this call touches, so later items see earlier ones; written back
-- once, in first-touch order, at the end, each with its TTL.
local states = {}
local touched = {}
local ttlOf = {}
local velocityKind = {}
-- TTL by kind of state: customer, terminal, device/IP velocity, customer velocity.
local ttlByKind = { stateTtl, stateTtl, stateTtl, stateTtl }

-- Fresh states (core's newCustomerState / newTerminalState), decoded only when needed.
local freshText = {}
local freshBytes = {}
local freshBlob = {}
local function fresh(which)
  local b = freshBlob[which]
  if not b then
    b = blobOfSparseWords(freshText[which])
    freshBlob[which] = b
  end
  return b
end

-- The working copy of a state, read on first use (got: already fetched, false when missing).
local function loadState(key, which, got)
  local s = states[key]
  if s then return s end
  if got == nil then s = redis.call('GET', key) else s = got end
  -- A missing state, or one written under another layout (length differs), starts fresh.
  if not s or #s ~= freshBytes[which] then s = fresh(which) end
  -- Velocity states (kinds 3 and 4) are worked on as tables (see applyVelocityOps).
  if which >= 3 then s = { struct.unpack(formatOf(#s / 8), s) } end
  states[key] = s
  touched[#touched + 1] = key
  ttlOf[key] = ttlByKind[which]
  if which >= 3 then velocityKind[key] = which end
  return s
end

local function writeBack()
  for _, key in ipairs(touched) do
    local s = states[key]
    if type(s) == 'table' then
      local n = freshBytes[velocityKind[key]] / 8
      s = struct.pack(formatOf(n), unpack(s, 1, n))
    end
    redis.call('SET', key, s, 'EX', ttlOf[key] or stateTtl)
  end
end

-- Answers buffered by the adapter since its last call.
local nAnswers = tonumber(ARGV[5])
local a = 6
for _ = 1, nAnswers do
  local ttl = redis.call('PTTL', prefix .. 'tx:' .. ARGV[a]) -- -2: no record, -1: no expiry
  if ttl > 0 then
    redis.call('SET', prefix .. 'ans:' .. ARGV[a], ARGV[a + 1], 'PX', ttl, 'NX')
  elseif ttl == -1 then
    redis.call('SET', prefix .. 'ans:' .. ARGV[a], ARGV[a + 1], 'NX')
  end
  a = a + 2
end

if mode == 'flush' then
  return nAnswers
end

-- ARGV of a step's transaction k starts at stepAt + STEP_ARGS * (k - 1): id, customer,
-- terminal, time, amount, the six op programs, device_id, ip, country, the three velocity
-- programs.
local STEP_ARGS = 17

-- Whether a record holds the payload of the transaction whose ARGV start at j (its state keys
-- built already). The fields are compared as stored, strings against strings — no hash to compute,
-- and equal strings are exactly equal numbers and ids: time and amount as one head string right
-- after the label (a mismatch is refused without scanning further), then the two keys, found by
-- position rather than copied out. A record of an earlier layout (no '@' after the label) has no
-- payload: it cannot tell, so its repeat replays as before.
local function samePayload(r, j, tKey, cKey)
  -- The label field (the label, then its verdict's time if any) ends at the first ';'.
  local p = string.find(r, ';', 1, true)
  if not p or string.byte(r, p + 1) ~= 64 then return true end
  local head = ';@' .. ARGV[j + 3] .. ';' .. ARGV[j + 4] .. ';'
  if string.sub(r, p, p + #head - 1) ~= head then return false end
  local tLen, at = string.match(r, '^[^;]*;[^;]*;[^;]*;[^;]*;(%d+);()', p + #head)
  if not tLen then return true end
  tLen = tonumber(tLen)
  return tLen == #tKey and string.sub(r, at, at + tLen - 1) == tKey
    and string.sub(r, at + tLen) == cKey
end

if mode == 'lists' then
  local now = tonumber(ARGV[a])
  local n = tonumber(ARGV[a + 1])
  local keys = {}
  local seen = {}
  for k = 0, n - 1 do
    local j = a + 2 + 5 * k
    local key = prefix .. 'l:' .. ARGV[j + 1] .. ':' .. ARGV[j + 2]
    if ARGV[j] == 'a' then
      redis.call('HSET', key, ARGV[j + 3], ARGV[j + 4])
    else
      redis.call('HDEL', key, ARGV[j + 3])
    end
    if not seen[key] then
      seen[key] = true
      keys[#keys + 1] = key
    end
  end
  -- Each touched hash: expired items out, and the key lives as long as its last item.
  for _, key in ipairs(keys) do
    local h = redis.call('HGETALL', key)
    local forever = false
    local latest = 0
    local latestText = nil
    for i = 1, #h, 2 do
      local e = tonumber(h[i + 1])
      if e == 0 then
        forever = true
      elseif e <= now then
        redis.call('HDEL', key, h[i])
      elseif e > latest then
        latest = e
        latestText = h[i + 1]
      end
    end
    if forever then
      redis.call('PERSIST', key)
    elseif latestText then
      redis.call('PEXPIREAT', key, latestText)
    end
  end
  -- The sync cursor these changes bring the lists to, kept with them and never lowered: edges
  -- sharing this Redis continue from it instead of each re-sending every list.
  -- Cursors are '<source>.<seq>' (edge/src/stores/list-changes.ts, laterCursor): compared by
  -- seq within one source; another source (the backplane's database changed) replaces it.
  local cursor = ARGV[a + 2 + 5 * n]
  if cursor ~= '' then
    local held = redis.call('GET', prefix .. 'lists:cursor')
    local source, seq = string.match(cursor, '^(.-)%.(%d+)$')
    local heldSource, heldSeq = nil, nil
    if held then heldSource, heldSeq = string.match(held, '^(.-)%.(%d+)$') end
    if not heldSeq or source ~= heldSource or tonumber(seq) > tonumber(heldSeq) then
      redis.call('SET', prefix .. 'lists:cursor', cursor)
    end
  end
  return n
end

if mode == 'cursor' then
  return redis.call('GET', prefix .. 'lists:cursor') or ''
end

if mode == 'step' then
  for which = 1, 4 do
    freshText[which] = ARGV[a + which - 1]
    freshBytes[which] = 4 * tonumber(string.match(freshText[which], '^%d+'))
  end
  ttlByKind[3] = ARGV[a + 4]
  local now = tonumber(ARGV[a + 5])
  local kinds = ARGV[a + 6]
  local n = tonumber(ARGV[a + 7])
  local stepAt = a + 8
  -- Which list kinds to read (customer_id, terminal_id, device_id, ip, country): '1' = read.
  local readCustomer = string.byte(kinds, 1) == 49
  local readTerminal = string.byte(kinds, 2) == 49
  local readDevice = string.byte(kinds, 3) == 49
  local readIp = string.byte(kinds, 4) == 49
  local readCountry = string.byte(kinds, 5) == 49

  -- The lists a value is on (its hash, read once per call: lists change between calls only),
  -- unexpired at now, appended to names.
  local hashes = {}
  local function listsOf(kind, value, names)
    if value == '' then return end
    local key = prefix .. 'l:' .. kind .. ':' .. value
    local h = hashes[key]
    if not h then
      h = redis.call('HGETALL', key)
      hashes[key] = h
    end
    for i = 1, #h, 2 do
      local e = tonumber(h[i + 1])
      if e == 0 or e > now then names[#names + 1] = h[i] end
    end
  end

  -- First every payload, nothing written: a call that reuses an id with another payload applies
  -- nothing. An id new to the store is compared with its first occurrence in this call.
  local records = {}
  local firstAt = {}
  local conflicts = nil
  local j = stepAt
  for k = 1, n do
    local txId = ARGV[j]
    local r = redis.call('GET', prefix .. 'tx:' .. txId)
    records[k] = r
    local same = true
    if r then
      same = samePayload(r, j, prefix .. 't:' .. ARGV[j + 2], prefix .. 'c:' .. ARGV[j + 1])
    else
      local f = firstAt[txId]
      if f then
        same = ARGV[f + 1] == ARGV[j + 1] and ARGV[f + 2] == ARGV[j + 2]
          and ARGV[f + 3] == ARGV[j + 3] and ARGV[f + 4] == ARGV[j + 4]
      else
        firstAt[txId] = j
      end
    end
    if not same then
      conflicts = conflicts or {}
      conflicts[k] = true
    end
    j = j + STEP_ARGS
  end
  if conflicts then
    local out = {}
    for k = 1, n do
      if conflicts[k] then out[k] = { 'c' } else out[k] = { 's' } end
    end
    return out
  end

  local out = {}
  local recorded = {}
  j = stepAt
  for k = 1, n do
    local txId = ARGV[j]
    if records[k] or recorded[txId] then
      local answer = redis.call('GET', prefix .. 'ans:' .. txId)
      if answer then out[k] = { 'r', answer } else out[k] = { 'p' } end
    else
      local cKey = prefix .. 'c:' .. ARGV[j + 1]
      local tKey = prefix .. 't:' .. ARGV[j + 2]
      -- The velocity states this transaction has a program for (absent fields: none).
      local dKey, ipKey, vKey
      if ARGV[j + 14] ~= '' then dKey = prefix .. 'd:' .. ARGV[j + 11] end
      if ARGV[j + 15] ~= '' then ipKey = prefix .. 'ip:' .. ARGV[j + 12] end
      if ARGV[j + 16] ~= '' then vKey = prefix .. 'cv:' .. ARGV[j + 1] end
      -- Every state this call has not read yet, in one MGET.
      local want = {}
      local kinds = {}
      local function need(key, which)
        if key and not states[key] then
          want[#want + 1] = key
          kinds[#want] = which
        end
      end
      need(cKey, 1)
      need(tKey, 2)
      need(dKey, 3)
      need(ipKey, 3)
      need(vKey, 4)
      if #want > 0 then
        local got = redis.call('MGET', unpack(want))
        for i = 1, #want do loadState(want[i], kinds[i], got[i]) end
      end
      local c = states[cKey]
      local t = states[tKey]
      local velocity = { 0, 0, 0, 0, 0, 0 }
      if dKey then applyVelocityOps(states[dKey], ARGV[j + 14], velocity) end
      if ipKey then applyVelocityOps(states[ipKey], ARGV[j + 15], velocity) end
      if vKey then applyVelocityOps(states[vKey], ARGV[j + 16], velocity) end
      local names = {}
      if readCustomer then listsOf('customer_id', ARGV[j + 1], names) end
      if readTerminal then listsOf('terminal_id', ARGV[j + 2], names) end
      if readDevice then listsOf('device_id', ARGV[j + 11], names) end
      if readIp then listsOf('ip', ARGV[j + 12], names) end
      if readCountry then listsOf('country', ARGV[j + 13], names) end
      out[k] = { 'f', c, t, velocity, names }
      states[cKey] = applyOps(c, ARGV[j + 5])
      states[tKey] = applyOps(t, ARGV[j + 6])
      redis.call('SET', prefix .. 'tx:' .. txId, 'n;@' .. ARGV[j + 3] .. ';' .. ARGV[j + 4] .. ';'
        .. ARGV[j + 7] .. ';' .. ARGV[j + 8] .. ';' .. ARGV[j + 9] .. ';' .. ARGV[j + 10] .. ';'
        .. #tKey .. ';' .. tKey .. cKey, 'EX', recordTtl)
      recorded[txId] = true
    end
    j = j + STEP_ARGS
  end
  writeBack()
  return out
end

-- A label's program applied to a stored state. An expired state has no bucket the label could
-- change: leave it absent.
local function applyTo(key, program)
  local s = states[key]
  if not s then
    s = redis.call('GET', key)
    if s then touched[#touched + 1] = key end
  end
  if s then states[key] = applyOps(s, program) end
end

-- core's verdictSupersedes (core/src/ports/verdict-order.ts): whether the verdict (want, at
-- wantTime µs) takes over from the record's (label, at time; nil when not kept). No verdict yet,
-- or one of unknown time, is taken over; else the later time wins, and at equal times legitimate
-- after fraud (PostgreSQL's tie-break on event_id). The same verdict again does not.
local function supersedes(label, time, want, wantTime)
  if label == 'n' or time == nil then return true end
  if wantTime ~= time then return wantTime > time end
  return want == 'l' and label == 'f'
end

if mode == 'label' then
  local n = tonumber(ARGV[a])
  -- All records first: any unknown → nothing applied.
  local records = {}
  local unknown = { 'unknown' }
  for k = 0, n - 1 do
    local key = prefix .. 'tx:' .. ARGV[a + 1 + 3 * k]
    if not records[key] then
      local r = redis.call('GET', key)
      if r then
        -- The label field: the label, then the time of its verdict (digits, or none).
        local label, time = string.match(r, '^(%a)(%d*);')
        local rest = string.sub(r, #label + #time + 1)
        -- The current layout (payload after '@', skipped here), else the card's, else the oldest.
        local plus, minus, cPlus, cMinus, tLen, keys = string.match(rest,
          '^;@[^;]*;[^;]*;([^;]*);([^;]*);([^;]*);([^;]*);(%d+);(.*)$')
        if not plus then
          plus, minus, cPlus, cMinus, tLen, keys =
            string.match(rest, '^;([^;]*);([^;]*);([^;]*);([^;]*);(%d+);(.*)$')
        end
        local rec
        if plus then
          tLen = tonumber(tLen)
          rec = { plus = plus, minus = minus, cPlus = cPlus, cMinus = cMinus,
            tKey = string.sub(keys, 1, tLen), cKey = string.sub(keys, tLen + 1) }
        else
          -- A record of the earlier layout: the terminal only.
          local tKey
          plus, minus, tKey = string.match(rest, '^;([^;]*);([^;]*);(.*)$')
          rec = { plus = plus, minus = minus, tKey = tKey }
        end
        rec.label = label
        rec.time = tonumber(time) -- nil when the record keeps none
        rec.rest = rest
        records[key] = rec
      else
        unknown[#unknown + 1] = k
      end
    end
  end
  if #unknown > 1 then return unknown end

  local out = { 'ok' }
  for k = 0, n - 1 do
    local key = prefix .. 'tx:' .. ARGV[a + 1 + 3 * k]
    local r = records[key]
    local want = ARGV[a + 2 + 3 * k]
    local wantTimeText = ARGV[a + 3 + 3 * k]
    local wantTime = tonumber(wantTimeText)
    if not supersedes(r.label, r.time, want, wantTime) then
      -- An older verdict arriving late (or the same one again) changes nothing.
      out[#out + 1] = 0
    else
      -- The record is rewritten with the verdict in force (its time as the adapter wrote it), and
      -- keeps its expiry.
      local changed = want ~= r.label
      local program, cProgram
      if changed and want == 'f' then
        program, cProgram = r.plus, r.cPlus
      elseif changed and r.label == 'f' then
        program, cProgram = r.minus, r.cMinus
      end
      if program then applyTo(r.tKey, program) end
      if cProgram and r.cKey then applyTo(r.cKey, cProgram) end
      r.label = want
      r.time = wantTime
      local ttl = redis.call('PTTL', key)
      if ttl > 0 then
        redis.call('SET', key, want .. wantTimeText .. r.rest, 'PX', ttl)
      else
        redis.call('SET', key, want .. wantTimeText .. r.rest)
      end
      if changed then out[#out + 1] = 1 else out[#out + 1] = 0 end
    end
  end
  writeBack()
  return out
end

return redis.error_reply('ERR vigil: unknown mode ' .. tostring(mode))
`;
