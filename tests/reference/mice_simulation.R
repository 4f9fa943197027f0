# What R's mice does on the simulation design of tests/mice_simulation.rs (same model, other random numbers):
# x1 ~ N(0,1); x2 = 0.5 x1 + sqrt(.75) N(0,1); x3 ~ Bernoulli(expit(0.5 x2)); y = 1 + x1 + 0.5 x2 - 0.5 x3 + N(0,1);
# x1 deleted with P = expit(a + b y), x3 (a factor, so logreg) with P = expit(-1.5 + 0.8 x2).
# Run from the repository root:  Rscript tests/reference/mice_simulation.R [sims] [m]
# Prints bias and coverage of the 95% intervals of mice (pmm/logreg, maxit 10) + pool, and of complete cases,
# for the design "strong" (n = 200, a = -1, b = 0.8: about 40% of x1 missing) and "moderate"
# (n = 300, a = -1.5, b = 0.5: about 25%). Output quoted in docs/imputation.md.
suppressPackageStartupMessages(library(mice))
args <- commandArgs(trailingOnly = TRUE)
sims <- if (length(args) >= 1) as.integer(args[1]) else 200
m <- if (length(args) >= 2) as.integer(args[2]) else 10
truth <- c(1, 1, 0.5, -0.5)
expit <- function(x) 1 / (1 + exp(-x))
one <- function(n, a, b) {
  x1 <- rnorm(n); x2 <- 0.5 * x1 + sqrt(0.75) * rnorm(n)
  x3 <- as.numeric(runif(n) < expit(0.5 * x2))
  y <- truth[1] + truth[2] * x1 + truth[3] * x2 + truth[4] * x3 + rnorm(n)
  x1[runif(n) < expit(a + b * y)] <- NA
  x3[runif(n) < expit(-1.5 + 0.8 * x2)] <- NA
  d <- data.frame(y, x1, x2, x3 = factor(x3, levels = c(0, 1)))
  imp <- mice(d, m = m, maxit = 10, printFlag = FALSE)
  s <- summary(pool(with(imp, lm(y ~ x1 + x2 + x3))), conf.int = TRUE)
  cc <- lm(y ~ x1 + x2 + x3, data = d); ci <- confint(cc)
  c(s$estimate - truth, s[["2.5 %"]] <= truth & truth <= s[["97.5 %"]],
    coef(cc) - truth, ci[, 1] <= truth & truth <= ci[, 2])
}
for (design in list(list("strong", 200, -1, 0.8), list("moderate", 300, -1.5, 0.5))) {
  set.seed(20)
  r <- rowMeans(replicate(sims, one(design[[2]], design[[3]], design[[4]])))
  cat(sprintf("%s design: %d simulated data sets (n = %d), mice m = %d; term: truth | MI bias, coverage | CC bias, coverage\n",
              design[[1]], sims, design[[2]], m))
  terms <- c("(Intercept)", "x1", "x2", "x3")
  for (j in 1:4) cat(sprintf("%-12s %5s | %+.4f %.3f | %+.4f %.3f\n", terms[j], truth[j], r[j], r[4 + j], r[8 + j], r[12 + j]))
}
