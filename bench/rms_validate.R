# Per-replicate time of rms::validate(lrm(...), B) on a derivation set written by bench/derivation_set.py, for the
# ratio with `calcscore derive --validate-bootstrap` (bench/run.sh). Usage: Rscript bench/rms_validate.R FILE.csv [B]
# Prints the milliseconds per replicate (the original fit is outside the timing).
suppressPackageStartupMessages({ library(data.table); library(rms) })
a <- commandArgs(TRUE)
B <- if (length(a) > 1) as.integer(a[2]) else 3L
d <- fread(a[1])
x <- data.frame(y = as.integer(d$stent_expansion_pct < 70), l270 = as.integer(d$calcium_270_length_mm > 5),
                c360 = d$calcium_360, nod = d$calcified_nodule, small = as.integer(d$vessel_diameter_mm < 3.5))
f <- lrm(y ~ l270 + c360 + nod + small, data = x, x = TRUE, y = TRUE)
set.seed(1)
t <- system.time(rms::validate(f, B = B))[["elapsed"]]
cat(round(1000 * t / B), "\n")
