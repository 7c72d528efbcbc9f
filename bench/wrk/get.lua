-- GET the URL given to wrk, with the benchmark's key (BENCH_KEY) and X-Forwarded-Proto.
local common = dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function init(args)
  common.init()
end
