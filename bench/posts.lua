-- wrk script for bench/http_posts.py: every request is the next prepared post (path, cookie, form body),
-- shared out over wrk's threads so that no two requests are the same learner's same post. With "cycle"
-- (posts that may be repeated, as autosaves), each thread starts again from its first post when it ran out.
-- Usage: wrk ... -s bench/posts.lua URL -- FILE THREADS [cycle]
local posts = {}
local next_post = 0
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
  return {path = path, cookie = cookie, body = body}
end

function init(args)
  local file, threads = args[1], tonumber(args[2])
  cycle = args[3] == "cycle"
  local n = 0
  for line in io.lines(file) do
    if n % threads == thread_number then
      posts[#posts + 1] = decode(line)
    end
    n = n + 1
  end
end

function request()
  next_post = next_post + 1
  if cycle and next_post > #posts then
    next_post = 1
  end
  local post = posts[next_post]
  if post == nil then
    post = posts[#posts]  -- ran out: the runner sees more requests than posts and refuses the figures
  end
  return wrk.format("POST", post.path, {
    ["Cookie"] = post.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    -- wrk.format adds only Host from wrk.headers: the browser the login was made with, given by -H
    ["User-Agent"] = wrk.headers["User-Agent"],
    ["Accept"] = wrk.headers["Accept"],  -- given by -H for posts answered in JSON (autosaves); else none
  }, post.body)
end
