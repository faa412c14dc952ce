-- wrk script: GET /r/CODE spread over the referral codes in a file (one a
-- line), as many partners' visitors would. Usage:
--   wrk ... -s bench/codes.lua http://127.0.0.1:PORT -- CODES_FILE
local codes = {}

function init(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    if #line > 0 then codes[#codes + 1] = line end
  end
  f:close()
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  return wrk.format("GET", "/r/" .. codes[math.random(#codes)])
end
