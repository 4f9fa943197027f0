# Reference fixtures for calcscore's multiple imputation (stats::mice; `fit --impute`).
# Run from the repository root:  Rscript tests/reference/mice.R
# Needs MASS and mice (>= 3.15; Debian's r-cran-mice). Writes tests/reference/mice/:
#  (a) pooling: m completed data sets exported from mice() to CSV, and mice::pool() of glm/lm fitted on them
#      (summary(pool(fit), conf.int = TRUE) plus the pooled ubar, b, t, dfcom, riv, lambda, fmi) at %.17g;
#  (c) the Monte Carlo spread of mice's pooled coefficients on MASS::Pima.tr2 over many seeds.
suppressPackageStartupMessages({ library(MASS); library(mice) })
out <- "tests/reference/mice"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

num <- function(x) if (is.na(x)) "null" else if (is.infinite(x)) "1e308" else sprintf("%.17g", x)
js <- function(x) {
  if (is.list(x)) {
    if (is.null(names(x))) return(paste0("[", paste(vapply(x, js, ""), collapse = ", "), "]"))
    body <- paste0('"', names(x), '": ', vapply(x, js, ""), collapse = ",\n  ")
    return(paste0("{", body, "}"))
  }
  if (is.character(x)) return(if (length(x) == 1) paste0('"', x, '"') else paste0("[", paste0('"', x, '"', collapse = ", "), "]"))
  if (length(x) == 1 && is.null(names(x))) return(num(x))
  paste0("[", paste(vapply(x, num, ""), collapse = ", "), "]")
}
save_json <- function(x, case) writeLines(js(x), file.path(out, paste0(case, ".json")))
save_csv <- function(d, case) write.csv(d, file.path(out, paste0(case, ".csv")), row.names = FALSE, na = "")

# Everything mice::pool and summary.mipo report, one list per column.
pooled <- function(fit) {
  p <- pool(fit)
  s <- summary(p, conf.int = TRUE, conf.level = 0.95)
  q <- p$pooled
  list(term = as.character(s$term), estimate = s$estimate, std_error = s$std.error,
       statistic = s$statistic, df = s$df, p_value = s$p.value,
       conf_low = s[["2.5 %"]], conf_high = s[["97.5 %"]],
       ubar = q$ubar, b = q$b, t = q$t, dfcom = q$dfcom, riv = q$riv, lambda = q$lambda, fmi = q$fmi,
       m = p$m)
}

# (a) Pima.tr2 (300 women, bp/skin/bmi missing): mice defaults (pmm), m = 5.
pima <- MASS::Pima.tr2
save_csv(pima, "pima_tr2")
imp <- mice(pima, m = 5, seed = 2020, printFlag = FALSE)
for (i in 1:5) save_csv(complete(imp, i), paste0("pima_imp", i))
glm_fit <- with(imp, glm(type ~ npreg + glu + bp + skin + bmi + ped + age, family = binomial))
save_json(list(formula = "type ~ npreg + glu + bp + skin + bmi + ped + age", family = "binomial",
               mice_version = as.character(packageVersion("mice")), pooled = pooled(glm_fit)), "pima_pool_glm")
lm_fit <- with(imp, lm(bmi ~ skin + glu + bp + age))
save_json(list(formula = "bmi ~ skin + glu + bp + age", family = "gaussian", pooled = pooled(lm_fit)), "pima_pool_lm")

# (a) nhanes2 (factors age, hyp): pmm for bmi/chl, logreg for hyp, m = 4; lm with factor terms.
imp2 <- mice(nhanes2, m = 4, seed = 11, printFlag = FALSE)
for (i in 1:4) save_csv(complete(imp2, i), paste0("nhanes2_imp", i))
save_json(list(formula = "chl ~ age + bmi + hyp", family = "gaussian",
               methods = unname(imp2$method), pooled = pooled(with(imp2, lm(chl ~ age + bmi + hyp)))),
          "nhanes2_pool_lm")

# (c) Monte Carlo spread of mice's pooled logistic coefficients on Pima.tr2: m = 20, maxit = 10, 100 seeds.
seeds <- 1:100
est <- t(sapply(seeds, function(s) {
  imp <- mice(pima, m = 20, maxit = 10, seed = s, printFlag = FALSE)
  summary(pool(with(imp, glm(type ~ npreg + glu + bp + skin + bmi + ped + age, family = binomial))))$estimate
}))
terms <- as.character(summary(pool(glm_fit))$term)
cc <- glm(type ~ npreg + glu + bp + skin + bmi + ped + age, family = binomial, data = pima)
save_json(list(formula = "type ~ npreg + glu + bp + skin + bmi + ped + age", m = 20, maxit = 10,
               n_seeds = length(seeds), term = terms, mean = unname(colMeans(est)),
               sd = unname(apply(est, 2, sd)), complete_case = unname(coef(cc))), "pima_mc_spread")
