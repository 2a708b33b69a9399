-- wrk script for bench/http_posts.py: every request is the next prepared post (path, cookie, form body),
-- shared out over wrk's threads so that no two requests are the same learner's same post. With "cycle"
-- (posts that may be repeated, as autosaves), each thread starts again from its first post when it ran out.
-- Usage: wrk ... -s bench/posts.lua URL -- FILE THREADS [cycle]
--
-- Each request is written out once, in init: formatting it for every request took wrk a tenth of a core
-- at an autosave's rate, on the machine whose cores the server under test needs (a request with a fixed
-- body is formatted once by wrk itself).
local requests = {}
local next_request = 0
local threads_made = 0
local cycle = false

function setup(thread)
  thread:set("thread_number", threads_made)
  threads_made = threads_made + 1
end

local function decode(line)
  -- each line is a JSON array of three strings; the strings hold no quotes or backslashes
  -- (a path, a cookie and a url-encoded body), so a pattern reads them
  local path, cookie, body = line:match('^%["([^"]*)", "([^"]*)", "([^"]*)"%]$')
  return wrk.format("POST", path, {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    -- wrk.format adds only Host from wrk.headers: the browser the login was made with, given by -H
    ["User-Agent"] = wrk.headers["User-Agent"],
    ["Accept"] = wrk.headers["Accept"],  -- given by -H for posts answered in JSON (autosaves); else none
  }, body)
end

function init(args)
  local file, threads = args[1], tonumber(args[2])
  cycle = args[3] == "cycle"
  local n = 0
  for line in io.lines(file) do
    if n % threads == thread_number then
      requests[#requests + 1] = decode(line)
    end
    n = n + 1
  end
end

function request()
  next_request = next_request + 1
  if cycle and next_request > #requests then
    next_request = 1
  end
  -- ran out: the runner sees more requests than posts and refuses the figures
  return requests[next_request] or requests[#requests]
end
