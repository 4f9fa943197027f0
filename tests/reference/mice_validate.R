# Reference for `validate --impute` (calcscore_score::validate_impute::pool_validations): a fixed score
# (tests/reference/mice_validate/pima_score.toml) validated on the m = 5 completed Pima.tr2 tables that
# tests/reference/mice.R exported from mice(Pima.tr2, m = 5, seed = 2020), each measure computed per table and
# pooled by hand with mice::pool.scalar (dfcom = Inf) as Wood, Royston & White (2015) advise:
#   AUC (pROC, DeLong variance) on the logit scale, SE by the delta method (Marshall et al. 2009);
#   sensitivity, specificity, PPV, NPV at score >= 3 on the logit scale, var = 1/x + 1/(n - x);
#   calibration-in-the-large glm(y ~ offset(lp)) and slope glm(y ~ lp), lp = -2.5 + 0.8 score, as estimated;
#   observed risk per score level: mean over the imputations.
# Also the complete-case AUC (DeLong CI) on Pima.tr2 itself. Run from the repository root:
#   Rscript tests/reference/mice_validate.R
suppressPackageStartupMessages({ library(mice); library(pROC) })
ref <- "tests/reference/mice"
out <- "tests/reference/mice_validate"
m <- 5
score_of <- function(d) 2 * (d$glu > 140) + (d$bmi > 30) + (d$skin > 30) + (d$age > 40)
expit <- function(x) 1 / (1 + exp(-x))
pooled <- function(q, u) {
  p <- pool.scalar(q, u, n = Inf, k = 1)
  df <- p$df
  half <- qt(0.975, df) * sqrt(p$t)
  list(qbar = p$qbar, t = p$t, df = df, low = p$qbar - half, high = p$qbar + half, fmi = p$fmi)
}
per <- lapply(1:m, function(i) {
  d <- read.csv(file.path(ref, paste0("pima_imp", i, ".csv")))
  s <- score_of(d); y <- d$type == "Yes"
  r <- roc(y, s, levels = c(FALSE, TRUE), direction = "<", quiet = TRUE)
  a <- as.numeric(auc(r)); v <- var(r, method = "delong")
  pos <- s >= 3
  cnt <- list(sensitivity = c(sum(pos & y), sum(y)), specificity = c(sum(!pos & !y), sum(!y)),
              ppv = c(sum(pos & y), sum(pos)), npv = c(sum(!pos & !y), sum(!pos)))
  lp <- -2.5 + 0.8 * s
  tight <- glm.control(epsilon = 1e-14, maxit = 100)  # converged fully, so the SE is at the MLE
  ci <- summary(glm(y ~ offset(lp), family = binomial, control = tight))$coefficients
  cs <- summary(glm(y ~ lp, family = binomial, control = tight))$coefficients
  lev <- sapply(0:5, function(k) c(n = sum(s == k), events = sum(s == k & y)))
  list(auc = a, auc_var = v, cnt = cnt, ci = ci[1, 1:2], cs = cs[2, 1:2], lev = lev)
})
res <- list()
q <- sapply(per, function(p) qlogis(p$auc))
u <- sapply(per, function(p) p$auc_var / (p$auc * (1 - p$auc))^2)
pa <- pooled(q, u)
res$auc <- list(estimate = expit(pa$qbar), conf_low = expit(pa$low), conf_high = expit(pa$high),
                logit_estimate = pa$qbar, logit_t = pa$t, df = pa$df, fmi = pa$fmi)
for (k in c("sensitivity", "specificity", "ppv", "npv")) {
  x <- sapply(per, function(p) p$cnt[[k]][1]); n <- sapply(per, function(p) p$cnt[[k]][2])
  stopifnot(all(x > 0 & x < n))
  pm <- pooled(log(x / (n - x)), 1 / x + 1 / (n - x))
  res[[k]] <- list(estimate = expit(pm$qbar), conf_low = expit(pm$low), conf_high = expit(pm$high), df = pm$df)
}
for (k in c("ci", "cs")) {
  pc <- pooled(sapply(per, function(p) p[[k]][1]), sapply(per, function(p) p[[k]][2]^2))
  res[[if (k == "ci") "calibration_intercept" else "calibration_slope"]] <-
    list(estimate = pc$qbar, std_error = sqrt(pc$t), df = pc$df, conf_low = pc$low, conf_high = pc$high)
}
lev <- Reduce(`+`, lapply(per, function(p) p$lev)) / m
obs <- rowMeans(sapply(per, function(p) p$lev["events", ] / p$lev["n", ]))
res$levels <- list(score = 0:5, n = unname(lev["n", ]), events = unname(lev["events", ]), observed = unname(obs))
cc <- MASS::Pima.tr2
cc <- cc[complete.cases(cc[, c("glu", "bmi", "skin", "age", "type")]), ]
rc <- roc(cc$type == "Yes", score_of(cc), levels = c(FALSE, TRUE), direction = "<", quiet = TRUE)
res$complete_case <- list(n = nrow(cc), auc = as.numeric(auc(rc)), conf_low = ci.auc(rc, method = "delong")[1],
                          conf_high = ci.auc(rc, method = "delong")[3])
num <- function(x) sprintf("%.17g", x)
js <- function(x) {
  if (is.list(x)) return(paste0("{", paste0('"', names(x), '": ', vapply(x, js, ""), collapse = ", "), "}"))
  if (length(x) == 1) return(num(x))
  paste0("[", paste(vapply(x, num, ""), collapse = ", "), "]")
}
writeLines(js(res), file.path(out, "pima_pooled.json"))
