-- POST a stock adjustment of +1 to the URL given to wrk, the same body for the app and the
-- bare view: the SKU is drawn per request among BENCH_SKUS SKUs named
-- BENCH_SKU_PREFIX .. 00000, 00001, … (spread), or is always the first (BENCH_SKUS=1: hot).
-- Only +1: on_hand never goes below zero, and every applied delta shows in on_hand.
local common = dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local count = tonumber(os.getenv("BENCH_SKUS") or "1")
local prefix = os.getenv("BENCH_SKU_PREFIX") or ""

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
  common.init()
end

function request()
  local sku = string.format("%s%05d", prefix, math.random(0, count - 1))
  local body = string.format('{"sku": "%s", "quantity": 1, "reason": "received"}', sku)
  return wrk.format(nil, nil, nil, body)
end
