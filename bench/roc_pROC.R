# Benchmark: pROC::roc(outcome, marker, ci = TRUE) (DeLong CI) on a 10^6-row CSV.
# Usage (from the repository root):
#   Rscript bench/roc_pROC.R [n] [file]      # writes the CSV if absent, then times pROC
#   /usr/bin/time calcscore roc --data FILE --marker marker --outcome outcome --json
# The data: outcome ~ Bernoulli(0.3); marker ~ N(outcome, 1) rounded to 3 decimals (ties occur).
suppressMessages(library(pROC))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1) as.numeric(args[1]) else 1e6
file <- if (length(args) >= 2) args[2] else "bench/roc_1e6.csv"
if (!file.exists(file)) {
  set.seed(2021)
  outcome <- rbinom(n, 1, 0.3)
  marker <- round(rnorm(n, mean = outcome), 3)
  write.csv(data.frame(marker = marker, outcome = outcome), file, row.names = FALSE)
}
d <- read.csv(file)
t_total <- system.time({
  r <- roc(d$outcome, d$marker, ci = TRUE, quiet = TRUE)
})
cat(sprintf("pROC %s: n = %d, AUC = %.15f, DeLong CI = [%.15f, %.15f]\n",
            as.character(packageVersion("pROC")), nrow(d), as.numeric(r$auc), r$ci[1], r$ci[3]))
cat(sprintf("elapsed (roc + ci, excluding read.csv): %.2f s\n", t_total[["elapsed"]]))
