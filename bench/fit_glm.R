# Benchmark: glm(family = binomial) with 10 predictors on a 10^6-row CSV (and the file it reads).
# Usage (from the repository root): Rscript bench/fit_glm.R [n] [file]
# The data: x1..x10 ~ N(0, 1) (x9, x10 binary), y ~ Bernoulli(plogis(-1 + 0.3 x1 - 0.2 x2 + ... )).
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1) as.numeric(args[1]) else 1e6
file <- if (length(args) >= 2) args[2] else "bench/glm_1e6.csv"
if (!file.exists(file)) {
  set.seed(2021)
  X <- matrix(rnorm(n * 10), n, 10)
  X[, 9] <- rbinom(n, 1, 0.4); X[, 10] <- rbinom(n, 1, 0.2)
  b <- c(0.3, -0.2, 0.1, 0.05, -0.15, 0.25, 0, 0.1, 0.4, -0.3)
  y <- rbinom(n, 1, plogis(-1 + X %*% b))
  d <- data.frame(y = y, round(X, 4)); names(d) <- c("y", paste0("x", 1:10))
  write.csv(d, file, row.names = FALSE)
}
t_read <- system.time(d <- read.csv(file))
t_fit <- system.time(g <- glm(y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10, family = binomial, data = d))
t_sum <- system.time(s <- summary(g))
cat(sprintf("R glm: n = %d, deviance = %.10f, read.csv %.2f s, glm %.2f s, summary %.2f s\n",
            nrow(d), deviance(g), t_read[["elapsed"]], t_fit[["elapsed"]], t_sum[["elapsed"]]))
