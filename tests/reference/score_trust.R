# Reference for issue 14 ("a score a biostatistician can trust"): `calcscore derive` / `validate` on real public
# data (MASS::birthwt, MASS::Pima.tr, geepack::respiratory) against glm, lm, pROC and sandwich.
# Run from the repository root:  Rscript tests/reference/score_trust.R
# Writes tests/reference/score_trust/*.csv, *.toml and expected.json (numbers at 17 significant digits).
suppressPackageStartupMessages({
  library(MASS); library(pROC); library(jsonlite); library(sandwich); library(lmtest); library(geepack)
})
out <- "tests/reference/score_trust"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
bw <- MASS::birthwt
write.csv(bw, file.path(out, "birthwt.csv"), row.names = FALSE)
delong <- function(y, s) {
  r <- roc(y, as.vector(s), direction = "<", levels = c(0, 1), quiet = TRUE)
  ci <- ci.auc(r, method = "delong")
  list(estimate = as.numeric(r$auc), conf_low = ci[1], conf_high = ci[3],
       youden_cutoff = ceiling(coords(r, x = "best", best.method = "youden", ret = "threshold")$threshold[1]))
}
items <- function(d) data.frame(smoke = d$smoke, ht = d$ht, ui = d$ui,
                                ptl_gt0 = as.integer(d$ptl > 0), race_gt1 = as.integer(d$race > 1))
writeLines(c(
  'name = "birthwt-score"',
  '[[candidate]]', 'label = "Smoking"', 'column = "smoke"',
  '[[candidate]]', 'label = "Hypertension"', 'column = "ht"',
  '[[candidate]]', 'label = "Uterine irritability"', 'column = "ui"',
  '[[candidate]]', 'label = "Previous premature labour"', 'column = "ptl"', 'op = ">"', 'threshold = 0.0',
  '[[candidate]]', 'label = "Non-white"', 'column = "race"', 'op = ">"', 'threshold = 1.0'),
  file.path(out, "candidates.toml"))

# ---- 1. orientation: points from lm(bwt ~ items) (a protective continuous outcome, event = low birth weight).
# More points must mean more risk: points = round(-b / min|b|) because bwt is lower with the event.
X <- items(bw)
b <- coef(lm(bw$bwt ~ ., data = X))[-1]
pts <- round(-b / min(abs(b)))
score <- as.matrix(X) %*% pts
orientation <- c(list(points = unname(pts), ratio = unname(-b / min(abs(b))), coefficients = unname(b),
                      score_min = min(score), score_max = max(score)), delong(bw$low, score))

# ---- 2. a score with a negative item (mother's weight > 130 lb is protective): logistic points keep sign;
# every level from min to max is reported and n per level sums to 189.
writeLines(c(readLines(file.path(out, "candidates.toml")),
  '[[candidate]]', 'label = "Mother weight > 130 lb"', 'column = "lwt"', 'op = ">"', 'threshold = 130.0'),
  file.path(out, "candidates_negative.toml"))
Xn <- cbind(X, lwt_gt130 = as.integer(bw$lwt > 130))
g <- glm(bw$low ~ ., family = binomial, data = Xn)
bn <- coef(g)[-1]
ptsn <- round(bn / min(abs(bn)))
sn <- as.vector(as.matrix(Xn) %*% ptsn)
lv <- seq(min(sn), max(sn))
negative <- c(list(points = unname(ptsn), levels = lv,
                   n = sapply(lv, function(k) sum(sn == k)), events = sapply(lv, function(k) sum(sn == k & bw$low == 1))),
              delong(bw$low, sn))

# ---- 3. a stored model validated where it was not fitted: derive on odd rows, validate on even rows.
dev <- bw[seq(1, nrow(bw), 2), ]; val <- bw[seq(2, nrow(bw), 2), ]
write.csv(dev, file.path(out, "birthwt_dev.csv"), row.names = FALSE)
write.csv(val, file.path(out, "birthwt_val.csv"), row.names = FALSE)
gd <- glm(dev$low ~ ., family = binomial, data = items(dev))
bd <- coef(gd)[-1]
ptsd <- round(bd / min(abs(bd)))
sdev <- as.vector(as.matrix(items(dev)) %*% ptsd)
model <- coef(glm(dev$low ~ sdev, family = binomial))
sval <- as.vector(as.matrix(items(val)) %*% ptsd)
lp <- model[1] + model[2] * sval
tight <- glm.control(epsilon = 1e-14, maxit = 100)  # converged fully, so vcov() is at the estimate
citl <- glm(val$low ~ offset(lp), family = binomial, control = tight)
cslope <- glm(val$low ~ lp, family = binomial, control = tight)
wald <- function(f, j) { e <- coef(f)[j]; se <- sqrt(diag(vcov(f)))[j]; z <- qnorm(0.975)
  list(estimate = unname(e), conf_low = unname(e - z * se), conf_high = unname(e + z * se)) }
external <- list(points = unname(ptsd), model_intercept = unname(model[1]), model_slope = unname(model[2]),
                 calibration_intercept = wald(citl, 1), calibration_slope = wald(cslope, 2),
                 expected_events = sum(plogis(lp)), observed_events = sum(val$low), n = nrow(val),
                 auc = delong(val$low, sval))

# ---- 4. Yes/No text outcome: Pima.tr, event type == "Yes", logistic points.
pima <- MASS::Pima.tr
write.csv(pima, file.path(out, "pima.csv"), row.names = FALSE)
writeLines(c('name = "pima-score"',
  '[[candidate]]', 'label = "Glucose > 120"', 'column = "glu"', 'op = ">"', 'threshold = 120.0',
  '[[candidate]]', 'label = "BMI > 30"', 'column = "bmi"', 'op = ">"', 'threshold = 30.0',
  '[[candidate]]', 'label = "Age > 30"', 'column = "age"', 'op = ">"', 'threshold = 30.0',
  '[[candidate]]', 'label = "Pedigree > 0.5"', 'column = "ped"', 'op = ">"', 'threshold = 0.5'),
  file.path(out, "candidates_pima.toml"))
Xp <- data.frame(glu = as.integer(pima$glu > 120), bmi = as.integer(pima$bmi > 30),
                 age = as.integer(pima$age > 30), ped = as.integer(pima$ped > 0.5))
yp <- as.integer(pima$type == "Yes")
bp <- coef(glm(yp ~ ., family = binomial, data = Xp))[-1]
ptsp <- round(bp / min(abs(bp)))
pima_ref <- c(list(points = unname(ptsp), coefficients = unname(bp), n_events = sum(yp)),
              delong(yp, as.matrix(Xp) %*% ptsp))

# ---- 5. composite cluster (respiratory: id repeats in both centres) and few clusters (t on G - 1 df).
data(respiratory, package = "geepack")
resp <- respiratory
write.csv(resp, file.path(out, "respiratory.csv"), row.names = FALSE)
writeLines(c('name = "resp-score"',
  '[[candidate]]', 'label = "Baseline positive"', 'column = "baseline"',
  '[[candidate]]', 'label = "Age > 30"', 'column = "age"', 'op = ">"', 'threshold = 30.0'),
  file.path(out, "candidates_resp.toml"))
Xr <- data.frame(baseline = resp$baseline, age_gt30 = as.integer(resp$age > 30))
gr <- glm(resp$outcome ~ ., family = binomial, data = Xr)
cl <- interaction(resp$center, resp$id, drop = TRUE)
G <- nlevels(cl)
vr <- vcovCL(gr, cluster = cl, type = "HC1")
ct <- coeftest(gr, vcov. = vr, df = G - 1)
composite <- list(n_clusters = G, n_clusters_id_only = length(unique(resp$id)),
                  std_errors = unname(ct[-1, 2]), p_values = unname(ct[-1, 4]))
# few clusters: birthwt clustered by ftv (6 values), CR1 with t on 5 df
gf <- glm(bw$low ~ ., family = binomial, data = X)
vf <- vcovCL(gf, cluster = bw$ftv, type = "HC1")
Gf <- length(unique(bw$ftv))
cf <- coeftest(gf, vcov. = vf, df = Gf - 1)
cif <- coefci(gf, vcov. = vf, df = Gf - 1)
few <- list(n_clusters = Gf, std_errors = unname(cf[-1, 2]), p_values = unname(cf[-1, 4]),
            conf_low = unname(cif[-1, 1]), conf_high = unname(cif[-1, 2]))

# ---- 6. rows dropped per column: a cluster column missing in 40 rows (every rows 1, 6, 11, ...), as issue 14's
# "418 rows said, 312 fitted".
bwm <- bw; bwm$site <- (seq_len(nrow(bw)) %% 7) + 1; bwm$site[seq(1, nrow(bw), 5)] <- NA
write.csv(bwm, file.path(out, "birthwt_missing_cluster.csv"), row.names = FALSE, na = "")
cc <- !is.na(bwm$site)
gm <- glm(low ~ smoke + ht + ui + I(ptl > 0) + I(race > 1), family = binomial, data = bwm[cc, ])
missing <- list(n_input = nrow(bwm), n_used = sum(cc), n_missing_site = sum(!cc), n_clusters = length(unique(bwm$site[cc])),
                coefficients = unname(coef(gm)[-1]))

expected <- list(orientation = orientation, negative = negative, external = external, pima = pima_ref,
                 composite = composite, few = few, missing = missing)
writeLines(toJSON(expected, digits = I(17), auto_unbox = TRUE, pretty = TRUE), file.path(out, "expected.json"))
cat("wrote", out, "\n")
