# Reference for `calcscore fit --compare` with a robust or clustered covariance: the Wald test of the
# coefficients the reduced model drops, on the full model's covariance (lmtest::waldtest).
# Run from the repository root:  Rscript tests/reference/robust_compare.R
# Reads the data regression.R wrote; writes tests/reference/regression/robust_compare.json.
suppressPackageStartupMessages({ library(sandwich); library(lmtest) })
dir <- "tests/reference/regression"
cw <- read.csv(file.path(dir, "chickweight.csv"))
ohio <- read.csv(file.path(dir, "ohio.csv"))
bw <- read.csv(file.path(dir, "birthwt.csv"))
row <- function(w, stat, df) sprintf('{"statistic": %.17g, "df": %d, "p_value": %.17g}', w[[stat]][2], as.integer(abs(w$Df[2])), w[[ncol(w)]][2])
m1 <- lm(weight ~ Time + factor(Diet), data = cw); m0 <- lm(weight ~ Time, data = cw)
lm_cr1 <- waldtest(m1, m0, vcov = vcovCL(m1, cluster = ~Chick, type = "HC1"))
b1 <- lm(bwt ~ age + lwt + factor(race) + smoke, data = bw); b0 <- lm(bwt ~ age + lwt, data = bw)
lm_hc1 <- waldtest(b1, b0, vcov = vcovHC(b1, type = "HC1"))
g1 <- glm(resp ~ age + smoke, family = binomial, data = ohio); g0 <- glm(resp ~ age, family = binomial, data = ohio)
glm_cr1 <- waldtest(g1, g0, vcov = vcovCL(g1, cluster = ~id, type = "HC1"), test = "Chisq")
writeLines(c("{",
  paste0('"chick_lm_cr1": ', row(lm_cr1, "F"), ","),
  paste0('"birthwt_lm_hc1": ', row(lm_hc1, "F"), ","),
  paste0('"ohio_glm_cr1": ', row(glm_cr1, "Chisq")),
  "}"), file.path(dir, "robust_compare.json"))
