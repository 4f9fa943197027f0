# Reference fixtures for the validation canon (issue 15): Firth logistic regression, calibration,
# NRI/IDI. Decision curves are made by canon_dca.py (Python dcurves) from the files written here.
# Run from the repository root:  Rscript tests/reference/canon.R && python3 tests/reference/canon_dca.py
# Writes tests/reference/canon/<case>.csv (data) and <case>.json (expected values at 17 digits).
# Needs MASS, brglm2 (0.9), rms (6.5), Hmisc (4.8), jsonlite (Debian packages r-cran-*).
suppressPackageStartupMessages({
  library(MASS); library(brglm2); library(rms); library(Hmisc); library(jsonlite)
})
out <- "tests/reference/canon"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
save_json <- function(x, case) writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, pretty = TRUE),
                                          file.path(out, paste0(case, ".json")))
save_csv <- function(d, case) write.csv(d, file.path(out, paste0(case, ".csv")), row.names = FALSE)

# ---------------------------------------------------------------- 1. Firth (brglm2 AS_mean)
# brglm2's default epsilon (1e-6) leaves the estimates ~1e-7 from the solution of the adjusted score
# equations; a tight epsilon gives the solution itself, which is what the test compares with.
# Profile penalised-likelihood CIs (logistf's default; logistf is not packaged for this R): written out
# from the definition with base R, pl(b) = loglik(b) + log|X'WX|/2 maximised over the other coefficients
# by optim (BFGS, analytic gradient = Firth's modified score), the limits found by uniroot.
pen_loglik <- function(b, X, y) {
  eta <- drop(X %*% b); mu <- plogis(eta)
  log1pexp <- ifelse(eta > 0, eta + log1p(exp(-eta)), log1p(exp(eta)))
  sum(y * eta - log1pexp) + 0.5 * as.numeric(determinant(crossprod(X, mu * (1 - mu) * X))$modulus)
}
modified_score <- function(b, X, y) {
  mu <- plogis(drop(X %*% b)); XW <- X * sqrt(mu * (1 - mu))
  h <- rowSums((XW %*% solve(crossprod(XW))) * XW)
  drop(crossprod(X, y - mu + h * (0.5 - mu)))
}
profile_ci <- function(b, se, X, y, level = 0.95) {
  top <- pen_loglik(b, X, y); q <- qchisq(level, 1)
  deficit <- function(j, v) {
    full <- function(g) { bb <- b; bb[j] <- v; bb[-j] <- g; bb }
    o <- optim(b[-j], function(g) -pen_loglik(full(g), X, y),
               function(g) -modified_score(full(g), X, y)[-j],
               method = "BFGS", control = list(reltol = 1e-16, maxit = 10000))
    2 * (top + o$value) - q
  }
  t(sapply(seq_along(b), function(j) c(
    uniroot(function(v) deficit(j, v), c(b[j] - 2 * se[j], b[j]), extendInt = "downX", tol = 1e-13)$root,
    uniroot(function(v) deficit(j, v), c(b[j], b[j] + 2 * se[j]), extendInt = "upX", tol = 1e-13)$root)))
}

firth_case <- function(formula, data, case, profile = TRUE) {
  f <- glm(formula, family = binomial, data = data, method = "brglmFit", type = "AS_mean",
           control = brglmControl(epsilon = 1e-12, maxit = 1000))
  s <- summary(f)$coefficients
  ci <- confint.default(f)  # Wald, from the inverse Fisher information at the estimates
  p <- length(coef(f))
  X <- model.matrix(f); mu <- fitted(f); W <- mu * (1 - mu)
  pll <- as.numeric(logLik(f)) + 0.5 * determinant(crossprod(X, W * X))$modulus
  # Under separation pl is not concave in the nuisance coefficients and the profile depends on the
  # optimiser's start (several local maxima), so profile limits are a reference only where it is unimodal.
  res <- list(call = deparse(formula), method = "brglmFit AS_mean",
                 coefficients = list(term = rownames(s), estimate = unname(s[, 1]),
                                     std_error = unname(s[, 2]), statistic = unname(s[, 3]),
                                     p_value = unname(s[, 4]), conf_low = unname(ci[, 1]),
                                     conf_high = unname(ci[, 2])),
                 deviance = f$deviance, null_deviance = f$null.deviance, aic = f$aic,
                 penalised_log_lik = as.numeric(pll), n = nobs(f))
  if (profile) {
    prof <- profile_ci(coef(f), s[, 2], X, f$y)
    res$profile_conf_low <- prof[, 1]; res$profile_conf_high <- prof[, 2]
  }
  save_json(res, case)
}
bw <- birthwt[, c("low", "age", "lwt", "race", "smoke", "ptl", "ht", "ui")]
save_csv(bw, "birthwt")
firth_case(low ~ age + lwt + factor(race) + smoke + ptl + ht + ui, bw, "firth_birthwt")
# Complete separation on x (ML estimates diverge; Firth's stay finite).
sep <- data.frame(y = c(0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1),
                  x = c(1, 2, 3, 4, 5, 6, 6.5, 7, 8, 9, 10, 11),
                  z = c(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1))
sep$x[7] <- 5.5  # strictly separated: every y = 0 below 5.75, every y = 1 above
save_csv(sep, "separation")
firth_case(y ~ x + z, sep, "firth_separation", profile = FALSE)

# ---------------------------------------------------------------- 2. calibration on Pima.te
# Two logistic models fitted on Pima.tr, their risks predicted for the 332 women of Pima.te.
full <- glm(type ~ npreg + glu + bp + bmi + ped + age, family = binomial, data = Pima.tr)
small <- glm(type ~ glu + bmi, family = binomial, data = Pima.tr)
te <- Pima.te
val <- data.frame(y = as.integer(te$type == "Yes"),
                  lp_full = predict(full, te), p_full = predict(full, te, type = "response"),
                  p_small = predict(small, te, type = "response"), glu = te$glu)
save_csv(val, "pima_validation")
# Read the CSV back so R computes from the very numbers the binary reads.
val <- read.csv(file.path(out, "pima_validation.csv"))
calibration_case <- function(p, y, case, groups = 10) {
  lp <- qlogis(p)
  vp <- val.prob(p, y, pl = FALSE)
  citl <- glm(y ~ 1, offset = lp, family = binomial)
  slope <- glm(y ~ lp, family = binomial)
  Sm <- lowess(p, y, iter = 0)
  cal <- approx(Sm, xout = p, ties = mean)$y
  er <- abs(p - cal)
  brier <- mean((p - y)^2)
  # Groups as Hmisc::cut2(p, g = groups) (what val.prob(g = ) draws), observed with binconf's Wilson CI.
  q <- cut2(p, g = groups)
  grp <- lapply(split(seq_along(p), q), function(i) {
    b <- binconf(sum(y[i]), length(i), method = "wilson")
    list(n = length(i), events = sum(y[i]), mean_predicted = mean(p[i]), observed = b[1],
         conf_low = b[2], conf_high = b[3], max_predicted = max(p[i]))
  })
  names(grp) <- NULL
  ci_citl <- confint.default(citl); ci_slope <- confint.default(slope)
  sc <- summary(citl)$coefficients; ss <- summary(slope)$coefficients
  save_json(list(
    n = length(y), events = sum(y),
    citl = list(estimate = unname(coef(citl)), std_error = sc[1, 2], statistic = sc[1, 3],
                p_value = sc[1, 4], conf_low = ci_citl[1, 1], conf_high = ci_citl[1, 2]),
    slope = list(estimate = unname(coef(slope)[2]), std_error = ss[2, 2], statistic = ss[2, 3],
                 p_value = ss[2, 4], conf_low = ci_slope[2, 1], conf_high = ci_slope[2, 2]),
    slope_intercept = unname(coef(slope)[1]),
    brier = brier, scaled_brier = 1 - brier / (mean(y) * (1 - mean(y))),
    val_prob = as.list(vp),
    # val.prob's "C (ROC)" comes from lrm.fit, which bins the predictions; the exact C is somers2's.
    c_statistic = unname(somers2(p, y)["C"]),
    ici = mean(er), e50 = unname(median(er)), e90 = unname(quantile(er, 0.9)), emax = max(er),
    lowess_x = Sm$x, lowess_y = Sm$y, groups = grp), case)
}
calibration_case(val$p_full, val$y, "calibration_full")
calibration_case(val$p_small, val$y, "calibration_small", groups = 5)

# ---------------------------------------------------------------- 4. NRI and IDI (Hmisc improveProb)
# Model 1 = small (old), model 2 = full (new). Continuous NRI and IDI from improveProb on the risks;
# the categorical NRI with risk categories [0, 0.2), [0.2, 0.5), [0.5, 1] is improveProb on the
# category numbers scaled into [0, 1] (its NRI parts depend only on the direction of the move).
ip <- improveProb(val$p_small, val$p_full, val$y)
cats <- function(p) (findInterval(p, c(0.2, 0.5)) ) / 2
ipc <- improveProb(cats(val$p_small), cats(val$p_full), val$y)
pick <- function(r) list(n = r$n, na = r$na, nb = r$nb, pup_ev = r$pup.ev, pup_ne = r$pup.ne,
                         pdown_ev = r$pdown.ev, pdown_ne = r$pdown.ne, nri = r$nri, se_nri = r$se.nri,
                         z_nri = r$z.nri, nri_ev = r$nri.ev, se_nri_ev = r$se.nri.ev,
                         nri_ne = r$nri.ne, se_nri_ne = r$se.nri.ne, idi = r$idi, se_idi = r$se.idi,
                         z_idi = r$z.idi, improve_sens = r$improveSens, improve_spec = r$improveSpec)
save_json(list(continuous = pick(ip), categorical = pick(ipc), cuts = c(0.2, 0.5)), "nri")
cat("wrote", out, "\n")
