# Reference for `calcscore derive --validate-bootstrap` (whole-procedure bootstrap, Harrell's optimism) on real
# public data (MASS::birthwt, 189 births, 59 low birth weight).
# Run from the repository root:  Rscript tests/reference/optimism.R   (R 4.2, rms 6.5, pROC; about 5 minutes)
# Writes tests/reference/optimism/{birthwt.csv, fixed.toml, search.toml, expected.json}.
#
# Three procedures, each written out here independently of calcscore:
#   fixed_unrounded: logistic model on 5 pre-specified 0/1 items, score = the model's linear predictor (scaled),
#                    risk model refitted on it: the same procedure as rms::validate(lrm(...)), which is run too;
#   fixed_rounded:   the same with points = round(coefficient / smallest |coefficient|) (derive's score);
#   search_linear:   points from the linear model of birth weight (bwt, lower with the event, so points = -coef/ref),
#                    with the threshold of "lwt <" searched over a grid by the largest |t| of the univariable lm.
# Each replicate: resample rows, re-run the procedure (threshold search, weights, points, Youden cutoff as pROC,
# risk model glm(low ~ points)), indices on the resample (training) and on the original rows (test).
# Monte Carlo: 2 seeds x 1000 replicates; the fixture keeps the mean optimism over all replicates, the SD of one
# replicate's optimism (so a test can state the Monte Carlo error of both estimates) and the spread across seeds.
suppressPackageStartupMessages({ library(MASS); library(rms); library(pROC); library(jsonlite) })
out <- "tests/reference/optimism"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
bw <- MASS::birthwt
write.csv(bw[, c("low", "age", "lwt", "race", "smoke", "ptl", "ht", "ui", "ftv", "bwt")], file.path(out, "birthwt.csv"), row.names = FALSE)

fixed_items <- c('name = "birthwt-fixed"',
  '[[candidate]]', 'label = "Smoking"', 'column = "smoke"',
  '[[candidate]]', 'label = "Uterine irritability"', 'column = "ui"',
  '[[candidate]]', 'label = "Previous premature labour"', 'column = "ptl"', 'op = ">"', 'threshold = 0.0',
  '[[candidate]]', 'label = "Non-white"', 'column = "race"', 'op = ">"', 'threshold = 1.0',
  '[[candidate]]', 'label = "Mother under 110 lb"', 'column = "lwt"', 'op = "<"', 'threshold = 110.0')
writeLines(fixed_items, file.path(out, "fixed.toml"))
GRID <- c(100, 105, 110, 115, 120, 130)
search_items <- c(fixed_items[1:17],
  '[[candidate]]', 'label = "Mother under a searched weight"', 'column = "lwt"', 'op = "<"',
  paste0('grid = [', paste(sprintf("%.1f", GRID), collapse = ", "), ']'))
search_items[1] <- 'name = "birthwt-search"'
writeLines(search_items, file.path(out, "search.toml"))

source("tests/reference/optimism_procedure.R")   # procedure() and indices(), shared with optimism_resample.R

boot <- function(cfg, seed, B) {
  set.seed(seed)
  n <- nrow(bw)
  o <- matrix(NA_real_, B, 8)
  for (r in 1:B) {
    d <- bw[sample(n, n, replace = TRUE), ]
    p <- procedure(d, cfg)
    if (is.null(p)) next
    o[r, ] <- indices(p, d, TRUE) - indices(p, bw, FALSE)
  }
  o[complete.cases(o), , drop = FALSE]
}

SEEDS <- 1:2; B <- 1000
configs <- list(
  fixed_unrounded = list(search = FALSE, linear = FALSE, round = FALSE),
  fixed_rounded = list(search = FALSE, linear = FALSE, round = TRUE),
  search_linear = list(search = TRUE, linear = TRUE, round = TRUE))
res <- list()
for (nm in names(configs)) {
  cfg <- configs[[nm]]
  p <- procedure(bw, cfg)
  runs <- lapply(SEEDS, function(s) boot(cfg, s, B))
  all <- do.call(rbind, runs)
  res[[nm]] <- list(
    apparent = list(threshold = p$t, points = p$points, cutoff = p$cutoff, model = p$model,
                    index_orig = unname(indices(p, bw, TRUE))),
    optimism_mean = unname(colMeans(all)), optimism_sd = unname(apply(all, 2, sd)),
    replicates_used = nrow(all), replicates_asked = B * length(SEEDS),
    optimism_by_seed = lapply(runs, function(o) unname(colMeans(o))))
  cat(nm, ": used", nrow(all), "of", B * length(SEEDS), "\n")
  print(rbind(orig = res[[nm]]$apparent$index_orig, optimism = res[[nm]]$optimism_mean, sd = res[[nm]]$optimism_sd))
}

# rms::validate on the same items (fixed, logistic, unrounded): Dxy, Intercept, Slope, B
d <- cbind(X_of(bw, 110), low = bw$low)
f <- lrm(low ~ smoke + ui + ptl + race + lwt, data = d, x = TRUE, y = TRUE)
rv <- lapply(SEEDS, function(s) { set.seed(s); v <- rms::validate(f, B = B); v[c("Dxy", "Intercept", "Slope", "B"), ] })
rms_opt <- sapply(rv, function(v) v[, "optimism"])
print(rv[[1]])
res$rms_validate <- list(
  index = c("Dxy", "Intercept", "Slope", "B"),
  index_orig = unname(rv[[1]][, "index.orig"]),
  optimism_mean = unname(rowMeans(rms_opt)), optimism_sd_across_seeds = unname(apply(rms_opt, 1, sd)),
  B_per_seed = B, seeds = length(SEEDS), n = unname(sapply(rv, function(v) v[1, "n"])))
res$index_names <- c("Dxy", "C (AUC)", "Intercept", "Slope", "CITL", "B (Brier)", "Sensitivity", "Specificity")
res$versions <- list(R = R.version.string, rms = as.character(packageVersion("rms")), pROC = as.character(packageVersion("pROC")))
writeLines(toJSON(res, digits = I(17), auto_unbox = TRUE, pretty = TRUE), file.path(out, "expected.json"))
