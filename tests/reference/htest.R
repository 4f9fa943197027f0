# Reference values for ROC, diagnostic accuracy and hypothesis tests (calcscore htest).
# Run from the repository root:  Rscript tests/reference/htest.R
# Writes data CSVs and tests/reference/htest/expected.json (numbers at 17 significant digits).
# R 4.2 with MASS, pROC, epiR. Every expected number comes from R, never from calcscore.

suppressMessages({
  library(MASS)
  library(pROC)
  library(epiR)
})

out <- "tests/reference/htest"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

# ---- minimal JSON writer (full precision, Inf/NaN/NA as null) -------------------------
num <- function(x) {
  ifelse(is.na(x) | !is.finite(x), "null", sprintf("%.17g", x))
}
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.list(x)) {
    keys <- names(x)
    body <- vapply(seq_along(x), function(i) {
      paste0(inner, '"', keys[i], '": ', to_json(x[[i]], inner))
    }, "")
    return(paste0("{\n", paste(body, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.character(x)) {
    v <- paste0('"', gsub('"', '\\\\"', x), '"')
  } else if (is.logical(x)) {
    v <- ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    v <- num(unname(x))
  }
  if (length(x) == 1) v else paste0("[", paste(v, collapse = ", "), "]")
}
htest <- function(t) {
  list(
    method = t$method,
    statistic = unname(t$statistic),
    df = if (is.null(t$parameter)) NA else unname(t$parameter[1]),
    p_value = t$p.value,
    estimate = if (is.null(t$estimate)) NA else unname(t$estimate),
    conf_low = if (is.null(t$conf.int)) NA else t$conf.int[1],
    conf_high = if (is.null(t$conf.int)) NA else t$conf.int[2]
  )
}
write_csv <- function(df, file) {
  write.csv(df, file.path(out, file), row.names = FALSE, na = "")
}
exp_ <- list()

# ---- data -------------------------------------------------------------------------------
bw <- MASS::birthwt
write_csv(bw, "birthwt.csv")
sleep_wide <- data.frame(
  id = 1:10,
  drug1 = sleep$extra[sleep$group == 1],
  drug2 = sleep$extra[sleep$group == 2]
)
write_csv(sleep_wide, "sleep_wide.csv")
write_csv(data.frame(extra = sleep$extra, group = paste0("drug", sleep$group)), "sleep.csv")
an <- MASS::anorexia
write_csv(an, "anorexia.csv")
# ?wilcox.test examples: no ties, exact p-values.
depression <- data.frame(
  x = c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30),
  y = c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
)
write_csv(depression, "depression.csv")
permeability <- data.frame(
  value = c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46, 1.15, 0.88, 0.90, 0.74, 1.21),
  group = c(rep("normal", 10), rep("hydrocele", 5))
)
write_csv(permeability, "permeability.csv")

# ---- ROC (pROC) ----------------------------------------------------------------------------
roc_case <- function(marker, outcome, name) {
  r <- roc(outcome, marker, quiet = TRUE)
  ci <- ci.auc(r, method = "delong")
  best <- coords(r, x = "best", best.method = "youden", transpose = FALSE)
  cc <- coords(r, x = "all", transpose = FALSE)
  num_csv <- function(x) ifelse(is.infinite(x), ifelse(x > 0, "Inf", "-Inf"), sprintf("%.17g", x))
  write.csv(data.frame(threshold = num_csv(cc$threshold), sensitivity = num(cc$sensitivity),
                       specificity = num(cc$specificity)),
            file.path(out, paste0("coords_", name, ".csv")), row.names = FALSE, quote = FALSE)
  list(
    direction = r$direction, auc = as.numeric(r$auc), se = sqrt(var(r, method = "delong")),
    conf_low = ci[1], conf_high = ci[3], n_cases = length(r$cases), n_controls = length(r$controls),
    best_threshold = best$threshold[1], best_sensitivity = best$sensitivity[1],
    best_specificity = best$specificity[1], n_best = nrow(best), n_coords = nrow(cc)
  )
}
exp_$roc_lwt <- roc_case(bw$lwt, bw$low, "lwt")
exp_$roc_age <- roc_case(bw$age, bw$low, "age")
r_lwt <- roc(bw$low, bw$lwt, quiet = TRUE)
r_age <- roc(bw$low, bw$age, quiet = TRUE)
t <- roc.test(r_lwt, r_age, method = "delong", paired = TRUE)
exp_$roc_test_lwt_age <- list(
  method = t$method, statistic = unname(t$statistic), p_value = t$p.value,
  estimate = unname(t$estimate[1] - t$estimate[2]), conf_low = t$conf.int[1], conf_high = t$conf.int[2]
)
# Forced direction "<" on lwt (AUC below 0.5).
r_lt <- roc(bw$low, bw$lwt, direction = "<", quiet = TRUE)
ci_lt <- ci.auc(r_lt, method = "delong")
exp_$roc_lwt_lt <- list(auc = as.numeric(r_lt$auc), conf_low = ci_lt[1], conf_high = ci_lt[3])

# ---- Clustered AUC: Obuchowski (1997) from the published formula, brute force ----------------
set.seed(20211)
n_pat <- 40
sizes <- sample(1:4, n_pat, replace = TRUE)
id <- rep(seq_len(n_pat), sizes)
frailty <- rnorm(n_pat)[id]
status <- rbinom(length(id), 1, plogis(-0.3 + 0.8 * frailty))
marker <- round(1.2 * status + 0.7 * frailty + rnorm(length(id)), 1) # rounded: ties occur
clus <- data.frame(patient = paste0("P", id), lesion_marker = marker, calcified = status)
write_csv(clus, "clustered.csv")
obuchowski <- function(marker, status, id) {
  psi <- function(x, y) (x > y) + 0.5 * (x == y)
  X <- marker[status == 1]; idx <- id[status == 1]
  Y <- marker[status == 0]; idy <- id[status == 0]
  M <- length(X); N <- length(Y)
  P <- outer(X, Y, psi)
  A <- sum(P) / (M * N)
  cl <- unique(id)
  V10 <- sapply(cl, function(i) sum(P[idx == i, , drop = FALSE]) / N)
  V01 <- sapply(cl, function(i) sum(P[, idy == i, drop = FALSE]) / M)
  m <- sapply(cl, function(i) sum(idx == i)); n <- sapply(cl, function(i) sum(idy == i))
  I10 <- sum(m > 0); I01 <- sum(n > 0); I <- length(cl)
  S10 <- I10 / ((I10 - 1) * M) * sum((V10 - m * A)^2)
  S01 <- I01 / ((I01 - 1) * N) * sum((V01 - n * A)^2)
  S11 <- I / (I - 1) * sum((V10 - m * A) * (V01 - n * A))
  v <- S10 / M + S01 / N + 2 * S11 / (M * N)
  z <- qnorm(0.975)
  list(auc = A, se = sqrt(v), conf_low = max(0, A - z * sqrt(v)), conf_high = min(1, A + z * sqrt(v)),
       n_clusters = I)
}
exp_$clustered <- obuchowski(clus$lesion_marker, clus$calcified, id)
# One lesion per cluster: the formula must give DeLong's (pROC) variance.
single <- obuchowski(bw$lwt * -1, bw$low, seq_len(nrow(bw)))
exp_$clustered_singletons_lwt <- list(se_obuchowski = single$se,
                                      se_delong = sqrt(var(r_lwt, method = "delong")))
exp_$roc_clustered_unclustered <- list(auc = as.numeric(auc(roc(clus$calcified, clus$lesion_marker, quiet = TRUE))),
  direction = roc(clus$calcified, clus$lesion_marker, quiet = TRUE)$direction)

# ---- Diagnostic 2x2 --------------------------------------------------------------------------------
diag_case <- function(tp, fp, fn, tn) {
  props <- list(sensitivity = c(tp, tp + fn), specificity = c(tn, tn + fp), ppv = c(tp, tp + fp),
                npv = c(tn, tn + fn), accuracy = c(tp + tn, tp + fp + fn + tn))
  res <- list(tp = tp, fp = fp, fn = fn, tn = tn)
  for (k in names(props)) {
    x <- props[[k]][1]; n <- props[[k]][2]
    w <- suppressWarnings(prop.test(x, n, correct = FALSE)$conf.int)
    e <- binom.test(x, n)$conf.int
    res[[k]] <- list(estimate = x / n, wilson_low = w[1], wilson_high = w[2],
                     exact_low = e[1], exact_high = e[2])
  }
  d <- suppressWarnings(epi.tests(as.table(matrix(c(tp, fn, fp, tn), nrow = 2)), conf.level = 0.95)$detail)
  for (k in c("pos", "neg")) {
    row <- d[d$statistic == paste0("lr.", k), ]
    res[[paste0("lr_", k)]] <- list(estimate = row$est, conf_low = row$lower, conf_high = row$upper)
  }
  res
}
# birthwt: test positive = smoker (smoke >= 1), outcome = low birth weight.
tab <- table(factor(bw$smoke >= 1, c(TRUE, FALSE)), factor(bw$low == 1, c(TRUE, FALSE)))
exp_$diag_smoke <- diag_case(tab[1, 1], tab[1, 2], tab[2, 1], tab[2, 2])
# A zero cell: no false positives (LR+ infinite).
exp_$diag_zero_fp <- diag_case(12, 0, 3, 20)
zero <- data.frame(marker = c(rep(1, 12), rep(0, 3), rep(0, 20)), disease = c(rep(1, 15), rep(0, 20)))
write_csv(zero, "zero_cell.csv")
exp_$binom_90 <- list(wilson = suppressWarnings(prop.test(7, 23, correct = FALSE, conf.level = 0.9)$conf.int[1:2]),
                      exact = binom.test(7, 23, conf.level = 0.9)$conf.int[1:2])

# ---- t tests, Wilcoxon ----------------------------------------------------------------------------
g0 <- bw$bwt[bw$smoke == 0]; g1 <- bw$bwt[bw$smoke == 1]
exp_$bwt_welch <- htest(t.test(g0, g1))
exp_$bwt_student <- htest(t.test(g0, g1, var.equal = TRUE))
exp_$bwt_wilcox <- htest(wilcox.test(g0, g1))
exp_$bwt_smd <- list(estimate = (mean(g0) - mean(g1)) / sqrt((var(g0) + var(g1)) / 2))
a0 <- bw$age[bw$smoke == 0]; a1 <- bw$age[bw$smoke == 1]
exp_$age_welch <- htest(t.test(a0, a1))
exp_$age_student <- htest(t.test(a0, a1, var.equal = TRUE))
exp_$age_wilcox <- htest(suppressWarnings(wilcox.test(a0, a1)))
exp_$age_smd <- list(estimate = (mean(a0) - mean(a1)) / sqrt((var(a0) + var(a1)) / 2))
exp_$ht_chisq <- htest(suppressWarnings(chisq.test(table(bw$smoke, bw$ht))))
exp_$ht_chisq_nocorrect <- htest(suppressWarnings(chisq.test(table(bw$smoke, bw$ht), correct = FALSE)))
exp_$ht_fisher <- htest(fisher.test(table(bw$smoke, bw$ht)))
exp_$race_chisq <- htest(chisq.test(table(bw$smoke, bw$race)))
exp_$bwt_race_anova <- htest(oneway.test(bwt ~ race, data = bw, var.equal = TRUE))
exp_$bwt_race_kruskal <- htest(kruskal.test(bwt ~ race, data = bw))

exp_$sleep_paired_t <- htest(t.test(sleep_wide$drug1, sleep_wide$drug2, paired = TRUE))
exp_$sleep_signed_rank <- htest(suppressWarnings(wilcox.test(sleep_wide$drug1, sleep_wide$drug2, paired = TRUE)))
exp_$sleep_rank_sum <- htest(suppressWarnings(wilcox.test(extra ~ group, data = sleep)))
exp_$sleep_one_sample <- htest(t.test(sleep$extra, mu = 0.5))
exp_$anorexia_paired_t <- htest(t.test(an$Prewt, an$Postwt, paired = TRUE))
exp_$anorexia_signed_rank <- htest(suppressWarnings(wilcox.test(an$Prewt, an$Postwt, paired = TRUE)))
exp_$anorexia_pearson <- htest(cor.test(an$Prewt, an$Postwt))
exp_$anorexia_spearman <- htest(suppressWarnings(cor.test(an$Prewt, an$Postwt, method = "spearman")))
exp_$depression_signed_rank_exact <- htest(wilcox.test(depression$x, depression$y, paired = TRUE))
exp_$depression_paired_t <- htest(t.test(depression$x, depression$y, paired = TRUE))
exp_$permeability_rank_sum_exact <- htest(wilcox.test(permeability$value[1:10], permeability$value[11:15]))
exp_$permeability_rank_sum_normal <- htest(wilcox.test(permeability$value[1:10], permeability$value[11:15],
                                                       exact = FALSE))
exp_$depression_spearman_exact <- htest(cor.test(depression$x[1:8], depression$y[c(1:4, 6, 8, 9, 3)] + (1:8) / 1000,
                                                 method = "spearman"))
exp_$depression_spearman_exact$x <- depression$x[1:8]
exp_$depression_spearman_exact$y <- depression$y[c(1:4, 6, 8, 9, 3)] + (1:8) / 1000
set.seed(7)
sx <- round(rnorm(15), 6); sy <- round(sx + rnorm(15), 6)
exp_$spearman_edgeworth <- htest(cor.test(sx, sy, method = "spearman"))
exp_$spearman_edgeworth$x <- sx
exp_$spearman_edgeworth$y <- sy

# Larger exact cases (no ties): rank sum 30 vs 40, signed rank n = 45.
set.seed(11)
lx <- round(rnorm(30, 0.3), 8); ly <- round(rnorm(40), 8)
exp_$rank_sum_exact_30_40 <- htest(wilcox.test(lx, ly))
exp_$rank_sum_exact_30_40$x <- lx
exp_$rank_sum_exact_30_40$y <- ly
sb <- round(rnorm(45, 0.2), 8); sa <- round(rnorm(45), 8)
exp_$signed_rank_exact_45 <- htest(wilcox.test(sb, sa, paired = TRUE))
exp_$signed_rank_exact_45$x <- sb
exp_$signed_rank_exact_45$y <- sa

# ---- Fisher with a zero cell, chi-square of the same table -----------------------------------------
zt <- matrix(c(12, 3, 0, 20), nrow = 2) # rows: test +/-, columns: disease +/-
exp_$zero_fisher <- htest(fisher.test(zt))
exp_$zero_chisq <- htest(suppressWarnings(chisq.test(zt)))
exp_$zero_chisq_nocorrect <- htest(suppressWarnings(chisq.test(zt, correct = FALSE)))

# Fisher's conditional MLE and CI re-solved from fisher.test's own formulas with a tight
# tolerance (fisher.test uses uniroot's default tol ~1e-4, so its 5th digit is loose).
fisher_tight <- function(tab, conf.level = 0.95) {
  m <- sum(tab[, 1]); n <- sum(tab[, 2]); k <- sum(tab[1, ]); x <- tab[1, 1]
  lo <- max(0, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dn <- function(ncp) { d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d) }
  mn <- function(ncp) sum(support * dn(ncp))
  pn <- function(ncp, upper) sum(dn(ncp)[if (upper) support >= x else support <= x])
  tol <- 1e-13
  root <- function(f) exp(uniroot(function(l) f(exp(l)), c(-30, 30), tol = tol)$root)
  a <- (1 - conf.level) / 2
  list(estimate = if (x == lo) 0 else if (x == hi) Inf else root(function(t) mn(t) - x),
       conf_low = if (x == lo) 0 else root(function(t) pn(t, TRUE) - a),
       conf_high = if (x == hi) Inf else root(function(t) pn(t, FALSE) - a))
}
exp_$ht_fisher_tight <- fisher_tight(table(bw$smoke, bw$ht))
exp_$smoke_low_fisher <- htest(fisher.test(table(bw$smoke, bw$low)))
exp_$smoke_low_fisher_tight <- fisher_tight(table(bw$smoke, bw$low))

writeLines(to_json(exp_), file.path(out, "expected.json"))
cat("wrote", file.path(out, "expected.json"), "\n")
