# Reference for `calcscore derive` and `calcscore table1` on real public data (MASS::birthwt).
# Run from the repository root:  Rscript tests/reference/score.R
# Writes tests/reference/score/birthwt.csv, candidates.toml and expected.json (numbers at 17 significant digits).
suppressPackageStartupMessages({ library(MASS); library(pROC); library(jsonlite) })
out <- "tests/reference/score"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
bw <- MASS::birthwt
bw$race_txt <- c("white", "black", "other")[bw$race]
write.csv(bw, file.path(out, "birthwt.csv"), row.names = FALSE)

# ---- derive: low birth weight on binary candidates; points = round(coef / smallest |coef|) of the logistic model ----
writeLines(c(
  'name = "birthwt-score"',
  '[[candidate]]', 'label = "Smoking"', 'column = "smoke"',
  '[[candidate]]', 'label = "Hypertension"', 'column = "ht"',
  '[[candidate]]', 'label = "Uterine irritability"', 'column = "ui"',
  '[[candidate]]', 'label = "Previous premature labour"', 'column = "ptl"', 'op = ">"', 'threshold = 0.0',
  '[[candidate]]', 'label = "Non-white"', 'column = "race"', 'op = ">"', 'threshold = 1.0'),
  file.path(out, "candidates.toml"))
X <- data.frame(smoke = bw$smoke, ht = bw$ht, ui = bw$ui, ptl_gt0 = as.integer(bw$ptl > 0), race_gt1 = as.integer(bw$race > 1))
g <- glm(bw$low ~ ., family = binomial, data = X)
b <- coef(g)[-1]
ratio <- b / min(abs(b))
points <- round(ratio)
score <- as.matrix(X) %*% points
r <- roc(bw$low, as.vector(score), direction = "<", levels = c(0, 1), quiet = TRUE)
ci <- ci.auc(r, method = "delong")
best <- coords(r, x = "best", best.method = "youden", ret = "threshold")$threshold[1]
cutoff <- ceiling(best)
pos <- score >= cutoff
tp <- sum(pos & bw$low == 1); fp <- sum(pos & bw$low == 0); fn <- sum(!pos & bw$low == 1); tn <- sum(!pos & bw$low == 0)
m <- function(x, n) { t <- binom.test(x, n); c(x / n, t$conf.int[1], t$conf.int[2]) }
derive <- list(
  coefficients = unname(b), std_errors = unname(sqrt(diag(vcov(g)))[-1]), ratio = unname(ratio), points = unname(points),
  auc = c(as.numeric(r$auc), ci[1], ci[3]), youden_threshold = best, cutoff = cutoff,
  table = c(tp, fp, fn, tn), sensitivity = m(tp, tp + fn), specificity = m(tn, tn + fp),
  ppv = m(tp, tp + fp), npv = m(tn, tn + fn))

# ---- table1: by smoke (2 groups) and by race_txt (3 groups) ----
skew <- function(x) { m <- mean(x); mean((x - m)^3) / mean((x - m)^2)^1.5 }
cont <- function(v, by) {
  gs <- split(bw[[v]], bw[[by]])
  normal <- all(sapply(gs, function(x) abs(skew(x)) <= 1))
  p <- if (length(gs) == 2) {
    if (normal) t.test(gs[[1]], gs[[2]])$p.value else wilcox.test(gs[[1]], gs[[2]], exact = NULL, correct = TRUE)$p.value
  } else {
    if (normal) oneway.test(bw[[v]] ~ factor(bw[[by]]), var.equal = TRUE)$p.value else kruskal.test(bw[[v]] ~ factor(bw[[by]]))$p.value
  }
  list(variable = v, normal = normal, p_value = p,
       mean = unname(sapply(gs, mean)), sd = unname(sapply(gs, sd)), median = unname(sapply(gs, median)),
       q1 = unname(sapply(gs, quantile, 0.25)), q3 = unname(sapply(gs, quantile, 0.75)))
}
categ <- function(v, by) {
  t <- table(bw[[v]], bw[[by]])
  e <- outer(rowSums(t), colSums(t)) / sum(t)
  p <- if (all(dim(t) == 2) && min(e) < 5) fisher.test(t)$p.value else suppressWarnings(chisq.test(t))$p.value
  list(variable = v, p_value = p, counts = as.vector(t))
}
t1 <- function(by) list(
  continuous = lapply(c("age", "lwt", "bwt", "ptl"), cont, by = by),
  categorical = lapply(setdiff(c("low", "ht", "ui", "race_txt", "smoke"), by), categ, by = by))
expected <- list(derive = derive, table1_smoke = t1("smoke"), table1_race = t1("race_txt"))
writeLines(toJSON(expected, digits = I(17), auto_unbox = TRUE, pretty = TRUE), file.path(out, "expected.json"))
cat("wrote", out, "\n")
