-- POST to the click endpoint of the articles listed in the file given after
-- "--", each request from a new visitor (its own user agent, no cookie), so
-- every request must be counted. After args[2] seconds the script switches to
-- a request that counts nothing (HEAD of the no-JS beacon), so that the
-- requests still in flight when wrk stops are not counting ones: every
-- counting request sent has also been answered, and "sent" can be compared
-- exactly with what the database stored.
--
-- The counting window is timed with the monotonic clock (through LuaJIT's
-- FFI): os.time() counts whole seconds, so a window set with it ended up to a
-- second early, and dividing by its nominal length understated the rate by up
-- to 5% over 20 seconds. done() reports the window as measured, from the first
-- counting request sent to the last counting response received.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

local paths = {}
local index = 0
local counter = 0
local stop_counting_at
local thread_id = 0
-- globals: done() reads them with thread:get
sent, counted, first_sent, last_counted = 0, 0, 0, 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  stop_counting_at = now() + tonumber(args[2])
  index = math.random(#paths)
end

local verified = false

function request()
  index = index % #paths + 1
  if not verified then
    -- wrk calls request() once before the run to check the script; that
    -- request is never sent, so it is not counted as sent.
    verified = true
    return wrk.format("POST", paths[index], {["User-Agent"] = "Mozilla/5.0 verify"})
  end
  local at = now()
  if at >= stop_counting_at then
    return wrk.format("HEAD", paths[index] .. "beacon.gif", {["User-Agent"] = "Mozilla/5.0 drain"})
  end
  counter = counter + 1
  sent = sent + 1
  if first_sent == 0 then first_sent = at end
  local agent = string.format("Mozilla/5.0 (bench visitor %d-%d) Chrome/120", tid, counter)
  return wrk.format("POST", paths[index], {["User-Agent"] = agent, ["Content-Length"] = "0"})
end

function response(status, headers, body)
  if body and string.find(body, '"counted": true', 1, true) then
    counted = counted + 1
    last_counted = now()
  end
end

function done(summary, latency, requests)
  local total_sent, total_counted, first, last = 0, 0, math.huge, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_counted = total_counted + thread:get("counted")
    first = math.min(first, thread:get("first_sent"))
    last = math.max(last, thread:get("last_counted"))
  end
  io.write(string.format("CLICKS sent=%d counted=%d window=%.3f\n", total_sent, total_counted, last - first))
end
