# Reference for `calcscore card`: a point score on MASS::birthwt with a logistic risk model of low birth weight on
# the total points, and R's predicted risk with its 95% Wald interval (on the logit scale, back-transformed) per total.
# Run from the repository root:  Rscript tests/reference/card.R
# Writes tests/reference/card/birthwt_score.toml (the score file calcscore reads) and birthwt_risk.json (expected).
suppressPackageStartupMessages(library(MASS))
out <- "tests/reference/card"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
bw <- MASS::birthwt
bw$points <- 1 * (bw$smoke == 1) + 2 * (bw$ht == 1) + 1 * (bw$lwt < 110) + 1 * (bw$ui == 1)
fit <- glm(low ~ points, family = binomial, data = bw)
V <- vcov(fit)
f <- function(x) sprintf("%.17g", x)
toml <- c(
  'name = "birthwt-low"',
  'title = "Low birth weight score (MASS::birthwt, for tests)"',
  'source = "tests/reference/card.R on MASS::birthwt"',
  'cutoff = 2',
  '',
  '[card]',
  'recommendation = "Score >= 2: closer antenatal follow-up"',
  'below = "Score < 2: routine care"',
  '',
  '[model]',
  sprintf('intercept = %s', f(coef(fit)[1])),
  sprintf('slope = %s', f(coef(fit)[2])),
  'outcome = "low = 1"',
  sprintf('fitted_in = "MASS::birthwt, %d births (glm(low ~ points, binomial))"', nobs(fit)),
  sprintf('var_intercept = %s', f(V[1, 1])),
  sprintf('var_slope = %s', f(V[2, 2])),
  sprintf('cov_intercept_slope = %s', f(V[1, 2])),
  '',
  '[[item]]', 'label = "Smoking during pregnancy"', 'column = "smoke"', 'op = "=="', 'threshold = 1.0', 'points = 1', '',
  '[[item]]', 'label = "Hypertension"', 'column = "ht"', 'op = "=="', 'threshold = 1.0', 'points = 2', '',
  '[[item]]', 'label = "Weight at last period < 110 lb"', 'column = "lwt"', 'op = "<"', 'threshold = 110.0', 'points = 1', '',
  '[[item]]', 'label = "Uterine irritability"', 'column = "ui"', 'op = "=="', 'threshold = 1.0', 'points = 1')
writeLines(toml, file.path(out, "birthwt_score.toml"))
nd <- data.frame(points = 0:5)
p <- predict(fit, newdata = nd, type = "link", se.fit = TRUE)
z <- qnorm(0.975)
js <- function(x) paste0("[", paste(f(x), collapse = ", "), "]")
writeLines(c("{",
  sprintf('"points": %s,', js(0:5)),
  sprintf('"risk": %s,', js(plogis(p$fit))),
  sprintf('"low": %s,', js(plogis(p$fit - z * p$se.fit))),
  sprintf('"high": %s', js(plogis(p$fit + z * p$se.fit))),
  "}"), file.path(out, "birthwt_risk.json"))
