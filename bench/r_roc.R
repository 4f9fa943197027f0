# Anchor for `calcscore roc`: data.table::fread + pROC::roc(ci = TRUE) (DeLong CI), whole process.
# Usage: Rscript bench/r_roc.R FILE.csv
suppressMessages({library(data.table); library(pROC)})
d <- fread(commandArgs(trailingOnly = TRUE)[1])
r <- roc(d$outcome, d$marker, ci = TRUE, quiet = TRUE)
cat(sprintf("auc %.15f ci %.15f %.15f\n", as.numeric(r$auc), r$ci[1], r$ci[3]))
