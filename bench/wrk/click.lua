-- POST to the click endpoint of the articles listed in the file given after
-- "--", each request from a new visitor (its own user agent, no cookie), so
-- every request must be counted. After args[2] seconds the script switches to
-- a request that counts nothing (HEAD of the no-JS beacon), so that the
-- requests still in flight when wrk stops are not counting ones: every
-- counting request sent has also been answered, and "sent" can be compared
-- exactly with what the database stored.
local paths = {}
local index = 0
local counter = 0
local stop_counting_at
local thread_id = 0
sent, counted = 0, 0  -- globals: done() reads them with thread:get
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
  stop_counting_at = os.time() + tonumber(args[2])
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
  if os.time() >= stop_counting_at then
    return wrk.format("HEAD", paths[index] .. "beacon.gif", {["User-Agent"] = "Mozilla/5.0 drain"})
  end
  counter = counter + 1
  sent = sent + 1
  local agent = string.format("Mozilla/5.0 (bench visitor %d-%d) Chrome/120", tid, counter)
  return wrk.format("POST", paths[index], {["User-Agent"] = agent, ["Content-Length"] = "0"})
end

function response(status, headers, body)
  if body and string.find(body, '"counted": true', 1, true) then
    counted = counted + 1
  end
end

function done(summary, latency, requests)
  local total_sent, total_counted = 0, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_counted = total_counted + thread:get("counted")
  end
  io.write(string.format("CLICKS sent=%d counted=%d\n", total_sent, total_counted))
end
