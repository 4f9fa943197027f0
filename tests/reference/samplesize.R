# Reference values for `calcscore samplesize` (tests/cli_samplesize.rs).
# Run from the repository root:  Rscript tests/reference/samplesize.R
# Needs pmsampsize 1.1.3 and pmvalsampsize 0.1.0, which are not Debian packages: install them from their
# CRAN sources (GitHub mirrors cran/pmsampsize @ fbb1472, cran/pmvalsampsize @ d85711b), e.g.
#   git clone https://github.com/cran/pmsampsize && R CMD INSTALL -l /tmp/rlib pmsampsize
#   R_LIBS=/tmp/rlib Rscript tests/reference/samplesize.R
# Writes CSVs into tests/reference/samplesize/. Every expected number comes from R, never from calcscore.

suppressMessages({
  library(pmsampsize)
  library(pmvalsampsize)
})
stopifnot(packageVersion("pmsampsize") == "1.1.3", packageVersion("pmvalsampsize") == "0.1.0")

out <- "tests/reference/samplesize"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
write <- function(df, name) {
  write.csv(df, file.path(out, name), row.names = FALSE, quote = TRUE)
}
g17 <- function(x) sprintf("%.17g", x)

# ---- develop, binary: pmsampsize's own examples and extra cases -------------------------------
bin_cases <- list(
  list(case = "testthat 4.1", input = "csrsquared", value = 0.288, parameters = 24, prevalence = 0.174, shrinkage = 0.9),
  list(case = "testthat 4.2", input = "csrsquared", value = 0.55, parameters = 24, prevalence = 0.174, shrinkage = 0.9),
  list(case = "testthat 4.3", input = "csrsquared", value = 0.288, parameters = 36, prevalence = 0.174, shrinkage = 0.9),
  list(case = "testthat 4.4", input = "csrsquared", value = 0.288, parameters = 24, prevalence = 0.25, shrinkage = 0.9),
  list(case = "extra: small R2", input = "csrsquared", value = 0.05, parameters = 10, prevalence = 0.3, shrinkage = 0.9),
  list(case = "extra: shrinkage 0.95", input = "csrsquared", value = 0.15, parameters = 8, prevalence = 0.12, shrinkage = 0.95),
  list(case = "extra: rare outcome", input = "csrsquared", value = 0.03, parameters = 12, prevalence = 0.02, shrinkage = 0.9),
  list(case = "extra: nagelkerke", input = "nagrsquared", value = 0.3, parameters = 15, prevalence = 0.2, shrinkage = 0.9),
  list(case = "extra: nagelkerke 2", input = "nagrsquared", value = 0.15, parameters = 6, prevalence = 0.35, shrinkage = 0.9),
  list(case = "help example: cstatistic", input = "cstatistic", value = 0.89, parameters = 24, prevalence = 0.174, shrinkage = 0.9)
)
bin_rows <- lapply(bin_cases, function(k) {
  args <- list(type = "b", parameters = k$parameters, prevalence = k$prevalence, shrinkage = k$shrinkage)
  args[[k$input]] <- k$value
  r <- do.call(pmsampsize, args)
  t <- r$results_table
  data.frame(case = k$case, input = k$input, value = k$value, parameters = k$parameters,
             prevalence = k$prevalence, shrinkage = k$shrinkage, rsquared_used = g17(r$rsquared),
             n1 = t[1, 1], n2 = t[2, 1], n3 = t[3, 1], n = t[4, 1],
             s1 = t[1, 2], s2 = t[2, 2], s3 = t[3, 2], s = t[4, 2],
             epp1 = t[1, 7], epp2 = t[2, 7], epp3 = t[3, 7], epp = t[4, 7],
             max_r2 = t[1, 5], nag_r2 = t[1, 6], events_ceiling = ceiling(r$events))
})
write(do.call(rbind, bin_rows), "develop_binary.csv")

# ---- develop, continuous -------------------------------------------------------------------
cont_cases <- list(
  list(case = "testthat 2.1", rsquared = 0.2, parameters = 25, intercept = 1.9, sd = 0.6, shrinkage = 0.9),
  list(case = "testthat 2.2", rsquared = 0.3, parameters = 25, intercept = 1.9, sd = 0.6, shrinkage = 0.9),
  list(case = "testthat 2.3", rsquared = 0.2, parameters = 50, intercept = 1.9, sd = 0.6, shrinkage = 0.9),
  list(case = "testthat 2.4", rsquared = 0.2, parameters = 25, intercept = 10, sd = 0.6, shrinkage = 0.9),
  list(case = "testthat 2.5", rsquared = 0.2, parameters = 25, intercept = 1.9, sd = 2, shrinkage = 0.9),
  list(case = "testthat 2.6", rsquared = 0.5, parameters = 100, intercept = 1.9, sd = 2, shrinkage = 0.9),
  list(case = "testthat 2.7", rsquared = 0.89, parameters = 30, intercept = 3.3, sd = 1.1, shrinkage = 0.84),
  list(case = "extra: small R2", rsquared = 0.05, parameters = 12, intercept = 50, sd = 10, shrinkage = 0.9),
  list(case = "extra: p = 2", rsquared = 0.4, parameters = 2, intercept = 5, sd = 1, shrinkage = 0.9)
)
cont_rows <- lapply(cont_cases, function(k) {
  r <- pmsampsize(type = "c", rsquared = k$rsquared, parameters = k$parameters, intercept = k$intercept,
                  sd = k$sd, shrinkage = k$shrinkage)
  t <- r$results_table
  data.frame(case = k$case, rsquared = k$rsquared, parameters = k$parameters, intercept = k$intercept,
             sd = k$sd, shrinkage = k$shrinkage,
             n1 = t[1, 1], n2 = t[2, 1], n3 = t[3, 1], n4 = t[4, 1], n = t[5, 1],
             s1 = t[1, 2], s2 = t[2, 2], s3 = t[3, 2], s4 = t[4, 2], s = t[5, 2],
             spp1 = t[1, 5], spp2 = t[2, 5], spp3 = t[3, 5], spp4 = t[4, 5], spp = t[5, 5],
             int_lci = r$int_lci, int_uci = r$int_uci)
})
write(do.call(rbind, cont_rows), "develop_continuous.csv")

# ---- continuous criterion 4 when the first candidate size fails the MMOE ----------------------
# pmsampsize's loop for criterion 4 stops after one step (inside the loop the CI bound is computed with
# qt(0.025) instead of -qt(0.025), so the ratio drops below the MMOE at once). calcscore searches for the
# smallest n whose 95% CI upper bound / intercept <= MMOE; the same search in R:
c4 <- function(r2, p, intercept, sd, mmoe = 1.1) {
  r <- pmsampsize(type = "c", rsquared = r2, parameters = p, intercept = intercept, sd = sd, mmoe = mmoe)
  start <- max(r$results_table[1:3, 1])
  ns <- start:(start + 10^6)
  ok <- intercept + qt(0.975, ns - p - 1) * sqrt(sd^2 * (1 - r2) / ns) <= mmoe * intercept
  data.frame(rsquared = r2, parameters = p, intercept = intercept, sd = sd, mmoe = mmoe, start = start,
             n4_pmsampsize = r$results_table[4, 1], n4_search = ns[which(ok)[1]])
}
write(rbind(c4(0.2, 10, 0.1, 1), c4(0.3, 20, 2, 3), c4(0.2, 25, 1.9, 0.6, 1.01)), "continuous_criterion4.csv")

# ---- C-statistic -> Cox-Snell R2 -------------------------------------------------------------
# pmsampsize's simulated value (seed 123456, n = 10^6) against the exact large-sample limit
# 1 - exp(-2 I(Y; LP)), I computed here with R's integrate() (an independent implementation).
exact_r2 <- function(cstat, prev) {
  mu <- sqrt(2) * qnorm(cstat)
  h <- function(p) ifelse(p > 0 & p < 1, -(p * log(p) + (1 - p) * log(1 - p)), 0)
  f <- function(x) {
    f1 <- prev * dnorm(x, mu, 1)
    f0 <- (1 - prev) * dnorm(x, 0, 1)
    f <- f1 + f0
    ifelse(f > 0, f * h(f1 / pmax(f, 1e-300)), 0)
  }
  cond <- integrate(f, -Inf, Inf, rel.tol = 1e-12, subdivisions = 1000L)$value
  1 - exp(-2 * (h(prev) - cond))
}
grid <- expand.grid(cstatistic = c(0.6, 0.7, 0.75, 0.8, 0.85, 0.89, 0.95),
                    prevalence = c(0.05, 0.1, 0.174, 0.3, 0.5))
cs_rows <- lapply(seq_len(nrow(grid)), function(i) {
  cs <- grid$cstatistic[i]; pv <- grid$prevalence[i]
  sim <- pmsampsize:::cstat2rsq(cstatistic = cs, prevalence = pv)$R2.coxsnell
  r <- pmsampsize(type = "b", cstatistic = cs, parameters = 24, prevalence = pv)
  data.frame(cstatistic = cs, prevalence = pv, r2_simulated = g17(sim), r2_pmsampsize = r$rsquared,
             r2_exact = g17(exact_r2(cs, pv)), n_pmsampsize = r$sample_size)
})
write(do.call(rbind, cs_rows), "cstat_r2.csv")

# ---- validate, binary -------------------------------------------------------------------------
# Criterion 2 from the exact expectations (integrate) and from pmvalsampsize's simulation (simobs 10^6).
info <- function(lp, a, b) {
  dens <- if (lp == "normal") function(x) dnorm(x, a, b) else
    function(x) exp(a * plogis(x, log.p = TRUE) + b * plogis(-x, log.p = TRUE) - lbeta(a, b))
  e <- function(k) integrate(function(x) dens(x) * x^k * plogis(x) * (1 - plogis(x)), -Inf, Inf,
                             rel.tol = 1e-12, subdivisions = 2000L)$value
  c(e(0), e(1), e(2))
}
val_cases <- list(
  list(case = "testthat 4.1", prevalence = 0.018, cstatistic = 0.8, lp = "normal", a = -5, b = 2.5, oeciwidth = 1),
  list(case = "testthat 4.2", prevalence = 0.018, cstatistic = 0.8, lp = "beta", a = 0.5, b = 0.5, oeciwidth = 1),
  list(case = "help example defaults", prevalence = 0.018, cstatistic = 0.8, lp = "normal", a = -5, b = 2.5, oeciwidth = 0.2),
  list(case = "extra: common outcome", prevalence = 0.2, cstatistic = 0.75, lp = "normal", a = -1.6, b = 0.9, oeciwidth = 0.2),
  list(case = "extra: beta 2 and 6", prevalence = 0.25, cstatistic = 0.7, lp = "beta", a = 2, b = 6, oeciwidth = 0.3),
  list(case = "extra: net benefit given", prevalence = 0.018, cstatistic = 0.8, lp = "normal", a = -5, b = 2.5, oeciwidth = 1,
       sensitivity = 0.7, specificity = 0.8, threshold = 0.02),
  list(case = "extra: net benefit from LP", prevalence = 0.2, cstatistic = 0.75, lp = "normal", a = -1.6, b = 0.9, oeciwidth = 0.2,
       threshold = 0.15)
)
val_rows <- lapply(val_cases, function(k) {
  args <- list(type = "b", prevalence = k$prevalence, cstatistic = k$cstatistic, oeciwidth = k$oeciwidth,
               simobs = 1000000, seed = 123456)
  if (k$lp == "normal") args$lpnormal <- c(k$a, k$b) else args$lpbeta <- c(k$a, k$b)
  for (nm in c("sensitivity", "specificity", "threshold")) if (!is.null(k[[nm]])) args[[nm]] <- k[[nm]]
  r <- suppressMessages(do.call(pmvalsampsize, args))
  t <- r$results_table
  I <- info(k$lp, k$a, k$b)
  se_cs <- 0.2 / (2 * 1.96)
  n2_exact <- ceiling(I[1] / (se_cs^2 * (I[1] * I[3] - I[2]^2)))
  has_nb <- nrow(t) == 5
  data.frame(case = k$case, prevalence = k$prevalence, cstatistic = k$cstatistic, lp = k$lp, a = k$a, b = k$b,
             oeciwidth = k$oeciwidth,
             sensitivity = if (is.null(k$sensitivity)) NA else k$sensitivity,
             specificity = if (is.null(k$specificity)) NA else k$specificity,
             threshold = if (is.null(k$threshold)) NA else k$threshold,
             n1 = t[1, 1], n2_simulated = t[2, 1], n2_exact = n2_exact, n3 = t[3, 1],
             n4 = if (has_nb) t[4, 1] else NA,
             nb_sensitivity = if (has_nb) r$sensitivity else NA, nb_specificity = if (has_nb) r$specificity else NA,
             se_oe = g17(r$se_oe), se_cstat = g17(r$se_cstat),
             i00 = g17(I[1]), i01 = g17(I[2]), i11 = g17(I[3]))
})
write(do.call(rbind, val_rows), "validate_binary.csv")

# ---- adequacy of data at hand (samplesize::adequacy unit tests) -------------------------------
# van Houwelingen shrinkage S = 1 + p / (n ln(1 - R2_app)), R2_adj = S R2_app, then pmsampsize at R2_adj.
adequacy_ref <- function(events, n, p, r2_app) {
  s <- 1 + p / (n * log(1 - r2_app))
  r <- pmsampsize(type = "b", csrsquared = s * r2_app, parameters = p, prevalence = events / n)
  data.frame(events, n, parameters = p, r2_apparent = r2_app, shrinkage = g17(s),
             n1 = r$results_table[1, 1], n2 = r$results_table[2, 1], n3 = r$results_table[3, 1])
}
write(rbind(adequacy_ref(348, 2000, 24, 0.3), adequacy_ref(26, 150, 10, 0.15)), "adequacy.csv")

# ---- outcome ICC, lesions per patient, prevalence from a registry ----------------------------
# One-way ANOVA estimator for unequal cluster sizes, from aov()'s mean squares:
#   rho = (MSB - MSW) / (MSB + (n0 - 1) MSW),  n0 = (N - sum(n_i^2) / N) / (k - 1)
set.seed(20261130)
k <- 120
sizes <- sample(1:4, k, replace = TRUE, prob = c(0.45, 0.3, 0.15, 0.1))
patient <- rep(sprintf("P%03d", seq_len(k)), sizes)
u <- rep(rnorm(k, 0, 1.2), sizes)
p <- plogis(-1.2 + u)
underexpansion <- rbinom(length(p), 1, p)
expansion <- round(80 - 12 * underexpansion + rep(rnorm(k, 0, 6), sizes) + rnorm(length(p), 0, 8), 1)
pilot <- data.frame(patient_id = patient, lesion_id = sprintf("L%04d", seq_along(p)),
                    underexpansion = underexpansion, stent_expansion_pct = expansion)
pilot$stent_expansion_pct[c(7, 50)] <- NA
write.csv(pilot, file.path(out, "pilot.csv"), row.names = FALSE, na = "")

icc_row <- function(file, label, y, id) {
  keep <- !is.na(y) & !is.na(id) & id != ""
  y <- y[keep]; id <- factor(id[keep])
  a <- summary(aov(y ~ id))[[1]]
  msb <- a[1, "Mean Sq"]; msw <- a[2, "Mean Sq"]
  ni <- as.vector(table(id)); N <- length(y); kk <- nlevels(id)
  n0 <- (N - sum(ni^2) / N) / (kk - 1)
  data.frame(file = file, outcome = label, lesions = N, patients = kk, m = g17(N / kk),
             cv = g17(sd(ni) / mean(ni)), mean = g17(mean(y)), sd = g17(sd(y)),
             msb = g17(msb), msw = g17(msw), n0 = g17(n0), icc = g17((msb - msw) / (msb + (n0 - 1) * msw)))
}
reg <- read.csv("datasets/zhang2021_synthetic.csv")
icc_rows <- rbind(
  icc_row("pilot.csv", "underexpansion", pilot$underexpansion, pilot$patient_id),
  icc_row("pilot.csv", "stent_expansion_pct < 70", as.numeric(pilot$stent_expansion_pct < 70), pilot$patient_id),
  icc_row("pilot.csv", "stent_expansion_pct", pilot$stent_expansion_pct, pilot$patient_id),
  icc_row("zhang2021_synthetic.csv", "calcium_fracture", reg$calcium_fracture, reg$patient_id)
)
write(icc_rows, "icc.csv")
cat("wrote", out, "\n")
