# The benchmark's input files (CSV), written once and reused by every tool so all read the same bytes.
# Usage (from the repository root): Rscript bench/gen_data.R [n=1e6] [dir=bench/data]
#   glm_N.csv     y, x1..x10: x1..x8 ~ N(0, 1), x9 ~ Bernoulli(0.4), x10 ~ Bernoulli(0.2) (4 decimals),
#                 y ~ Bernoulli(plogis(-1 + X b)); as bench/fit_glm.R (same seed, same values)
#   glm_cl_N.csv  the same rows and a `cluster` column: 50 000 clusters of random sizes (ids 1..50000)
#   roc_N.csv     marker, outcome: outcome ~ Bernoulli(0.3), marker ~ N(outcome, 1) rounded to 3 decimals (ties)
# bench/to_parquet.py then writes a Parquet copy of each (same values, float64 / int64 columns).
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1) as.numeric(args[1]) else 1e6
dir <- if (length(args) >= 2) args[2] else "bench/data"
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
tag <- if (n == 1e6) "1e6" else format(n, scientific = FALSE)
set.seed(2021)
X <- matrix(rnorm(n * 10), n, 10)
X[, 9] <- rbinom(n, 1, 0.4); X[, 10] <- rbinom(n, 1, 0.2)
b <- c(0.3, -0.2, 0.1, 0.05, -0.15, 0.25, 0, 0.1, 0.4, -0.3)
y <- rbinom(n, 1, plogis(-1 + X %*% b))
d <- data.frame(y = y, round(X, 4)); names(d) <- c("y", paste0("x", 1:10))
data.table::fwrite(d, file.path(dir, sprintf("glm_%s.csv", tag)))
set.seed(2022)
d$cluster <- sample.int(50000L, n, replace = TRUE)
data.table::fwrite(d, file.path(dir, sprintf("glm_cl_%s.csv", tag)))
set.seed(2021)
outcome <- rbinom(n, 1, 0.3)
marker <- round(rnorm(n, mean = outcome), 3)
data.table::fwrite(data.frame(marker = marker, outcome = outcome), file.path(dir, sprintf("roc_%s.csv", tag)))
