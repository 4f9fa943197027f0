# Independent R reference for the numbers drawn in the report's figures (Figure 5 bands, calibration).
#
# Inputs:  datasets/zhang2021_synthetic.csv and tests/reference/zhang2021/split.csv (the seeded A/B split),
#          prepared exactly as in tests/reference/zhang2021.R.
# Output:  tests/reference/zhang2021/figures_expected.json, numbers at 17 significant digits.
# Run from the repository root:  TZ=UTC Rscript tests/reference/zhang2021_figures.R
suppressPackageStartupMessages({
  library(sandwich)
})

reg <- read.csv("datasets/zhang2021_synthetic.csv", stringsAsFactors = FALSE)
split <- read.csv("tests/reference/zhang2021/split.csv", stringsAsFactors = FALSE)
angle_le <- reg$max_calcium_angle_deg <= 270
no_ivus <- !(reg$pre_ivus == 1 & reg$post_ivus == 1)
stage1 <- reg$cto == 1 | reg$isr == 1 | angle_le | no_ivus
s2 <- reg[!stage1, ]
s3 <- s2[s2$cutting_scoring_balloon != 1, ]
studied <- s3[!(s3$atherectomy != "none" & s3$angio_calcium == 0), ]
studied$cohort <- ifelse(studied$angio_calcium == 1 & studied$atherectomy != "none", "C",
                  ifelse(studied$angio_calcium == 0, "D", NA))
ab <- split[split$cohort %in% c("A", "B"), ]
studied$cohort[match(ab$lesion_id, studied$lesion_id)] <- ab$cohort
d <- studied
d$stent_expansion_pct <- d$stent_area_mm2 / ((d$ref_lumen_area_proximal_mm2 + d$ref_lumen_area_distal_mm2) / 2) * 100
d$underexpansion <- as.integer(d$stent_expansion_pct < 70)
d$score <- as.integer(d$calcium_270_length_mm > 5) + d$calcium_360 + d$calcified_nodule + as.integer(d$vessel_diameter_mm < 3.5)

grid <- data.frame(score = 0:4)
X <- cbind(1, grid$score)

# Figure 5: per-cohort lm(stent_expansion_pct ~ score), CR1 covariance by patient, t(df.residual) band.
band <- function(k) {
  x <- d[d$cohort == k, ]
  fit <- lm(stent_expansion_pct ~ score, data = x)
  V <- vcovCL(fit, cluster = ~patient_id, type = "HC1")
  f <- drop(X %*% coef(fit)); se <- sqrt(rowSums((X %*% V) * X)); q <- qt(0.975, fit$df.residual)
  list(score = grid$score, fit = f, lower = f - q * se, upper = f + q * se)
}

# Calibration: glm(underexpansion ~ score) in A with CR1 covariance; Wald CI on the logit scale (z);
# observed in B with exact (Clopper-Pearson) CIs.
A <- d[d$cohort == "A", ]
g <- glm(underexpansion ~ score, family = binomial, data = A)
V <- vcovCL(g, cluster = ~patient_id, type = "HC1")
eta <- drop(X %*% coef(g)); se <- sqrt(rowSums((X %*% V) * X)); z <- qnorm(0.975)
B <- d[d$cohort == "B", ]
obs <- lapply(0:4, function(s) {
  y <- B$underexpansion[B$score == s]
  if (length(y) == 0) return(list(score = s, n = 0))
  ci <- binom.test(sum(y), length(y))$conf.int
  list(score = s, n = length(y), x = sum(y), estimate = mean(y), conf_low = ci[1], conf_high = ci[2])
})

out <- list(
  figure5 = list(B = band("B"), C = band("C")),
  calibration = list(predicted = plogis(eta), predicted_low = plogis(eta - z * se),
                     predicted_high = plogis(eta + z * se), observed_B = obs)
)
# JSON with every number at 17 significant digits (jsonlite stops at 15); vectors of length > 1 are arrays.
to_json <- function(x) {
  if (is.list(x)) {
    inner <- vapply(x, to_json, "")
    if (is.null(names(x))) paste0("[", paste(inner, collapse = ", "), "]")
    else paste0("{", paste(sprintf('"%s": %s', names(x), inner), collapse = ", "), "}")
  } else {
    v <- sprintf("%.17g", as.numeric(x))
    if (length(x) == 1) v else paste0("[", paste(v, collapse = ", "), "]")
  }
}
writeLines(to_json(out), "tests/reference/zhang2021/figures_expected.json")
