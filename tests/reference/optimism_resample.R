# Reference for one replicate with a known resample (calcscore::score::optimism::known_replicate): birthwt row g
# (0-based) drawn c(2, 0, 1)[(g * 7 + g %/% 5) %% 3 + 1] times; the procedure of optimism_procedure.R on those rows,
# its indices on them (training) and on the original rows (test). Deterministic: compared to 1e-6.
# Run from the repository root:  Rscript tests/reference/optimism_resample.R   → tests/reference/optimism/resample.json
suppressPackageStartupMessages({ library(MASS); library(pROC); library(jsonlite) })
bw <- MASS::birthwt
GRID <- c(100, 105, 110, 115, 120, 130)
source("tests/reference/optimism_procedure.R")
g <- 0:(nrow(bw) - 1)
counts <- c(2, 0, 1)[(g * 7 + g %/% 5) %% 3 + 1]
d <- bw[rep(seq_len(nrow(bw)), times = counts), ]
configs <- list(
  fixed_unrounded = list(search = FALSE, linear = FALSE, round = FALSE),
  fixed_rounded = list(search = FALSE, linear = FALSE, round = TRUE),
  search_linear = list(search = TRUE, linear = TRUE, round = TRUE))
res <- lapply(configs, function(cfg) {
  p <- procedure(d, cfg)
  list(threshold = p$t, points = p$points, cutoff = p$cutoff, model = p$model,
       training = unname(indices(p, d, TRUE)), test = unname(indices(p, bw, FALSE)))
})
res$counts <- counts
writeLines(toJSON(res, digits = I(17), auto_unbox = TRUE, pretty = TRUE), "tests/reference/optimism/resample.json")
