# Criterion 4 of `calcscore samplesize develop --type continuous` at tight margins (MMOE 1.001, 1.0001), where
# the answer is 10^5 to 10^7 rows: the smallest n whose 95% CI upper bound / intercept <= MMOE, found by
# bisection on R's qt() (the predicate is monotone in n). No pmsampsize needed: criteria 1-3 are far below.
# Run from the repository root:  Rscript tests/reference/samplesize_mmoe.R
c4 <- function(r2, p, intercept, sd, mmoe) {
  ok <- function(n) intercept + qt(0.975, n - p - 1) * sqrt(sd^2 * (1 - r2) / n) <= mmoe * intercept
  lo <- p + 2; hi <- 2^40
  while (hi - lo > 1) { mid <- floor((lo + hi) / 2); if (ok(mid)) hi <- mid else lo <- mid }
  stopifnot(ok(hi), !ok(hi - 1))
  data.frame(rsquared = r2, parameters = p, intercept = intercept, sd = sd, mmoe = mmoe, n4 = hi)
}
write.csv(rbind(c4(0.2, 25, 1.9, 0.6, 1.001), c4(0.2, 25, 1.9, 0.6, 1.0001), c4(0.3, 20, 2, 3, 1.0005)),
          "tests/reference/samplesize/continuous_mmoe_tight.csv", row.names = FALSE, quote = TRUE)
