-- wrk script for `make bench`: POST /api/v1/conversions with a unique
-- order id per request (run id, wrk thread number and a per-thread counter),
-- attributed to the partner by its referral code.
--
--   wrk -t2 -c64 -d10s -s bench/conversions.lua URL -- API_KEY CODE RUN_ID

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  api_key = args[1] or error("conversions.lua: missing API key argument")
  code = args[2] or error("conversions.lua: missing referral code argument")
  prefix = (args[3] or "run") .. "-" .. tid .. "-"
  counter = 0
  bad = 0
  headers = {
    ["Authorization"] = "Bearer " .. api_key,
    ["Content-Type"] = "application/json",
  }
end

function request()
  counter = counter + 1
  local order = prefix .. counter
  local body = string.format(
    '{"order_id":"o-%s","customer_id":"c-%s","amount":"49.90","currency":"USD","kind":"sale","ref":"%s"}',
    order, order, code)
  return wrk.format("POST", "/api/v1/conversions", headers, body)
end

function response(status, headers, body)
  if status ~= 201 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + (t:get("bad") or 0)
  end
  io.write(string.format("Responses other than 201: %d\n", total))
end
