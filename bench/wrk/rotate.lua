-- Rotate GET requests over the paths listed (one per line) in the file given
-- after "--" on the wrk command line. Each thread starts at a different offset.
local paths = {}
local index = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  index = math.random(#paths)
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index], {["User-Agent"] = "Mozilla/5.0 (bench) Chrome/120"})
end
