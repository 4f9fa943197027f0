# Reference for issue 15's wiring into `calcscore validate`: a stored score with its risk model ([model]) validated
# on data where it was not fitted: MASS::birthwt, derived on the odd rows and validated on the even rows (the
# halves of tests/reference/score_trust). rms::val.prob (Brier, Eavg, E90, Emax, S:z, S:p), lowess(iter = 0)
# for E50, glm for calibration-in-the-large and slope, and the net benefit by its definition (dcurves' rule:
# treat when risk >= pt) for the risk model, "score >= cutoff" and treat-all. canon_validate_dca.py checks the
# same net benefits with Python dcurves.
# Run from the repository root:  Rscript tests/reference/canon_validate.R
suppressPackageStartupMessages({ library(MASS); library(rms); library(jsonlite) })
out <- "tests/reference/canon_validate"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
bw <- MASS::birthwt
dev <- bw[seq(1, nrow(bw), 2), ]; val <- bw[seq(2, nrow(bw), 2), ]
items <- function(d) data.frame(smoke = d$smoke, ht = d$ht, ui = d$ui,
                                ptl_gt0 = as.integer(d$ptl > 0), race_gt1 = as.integer(d$race > 1))
gd <- glm(dev$low ~ ., family = binomial, data = items(dev), control = glm.control(epsilon = 1e-14, maxit = 100))
bd <- coef(gd)[-1]
# Apparent Cox-Snell R^2 of the derivation's logistic model (what derive --tripod evaluates Riley's criteria with).
r2cs_dev <- 1 - exp(-(gd$null.deviance - gd$deviance) / nrow(dev))
pts <- unname(round(bd / min(abs(bd))))
sdev <- as.vector(as.matrix(items(dev)) %*% pts)
model <- unname(coef(glm(dev$low ~ sdev, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))))
cutoff <- 2
item <- function(label, column, op, threshold, points)
  c("", "[[item]]", sprintf('label = "%s"', label), sprintf('column = "%s"', column), sprintf('op = "%s"', op),
    sprintf("threshold = %.1f", threshold), sprintf("points = %d", as.integer(points)))
writeLines(c(
  "# Written by tests/reference/canon_validate.R: points and [model] fitted in the odd rows of MASS::birthwt.",
  'name = "birthwt-stored"', 'title = "birthwt score with a stored risk model"',
  'source = "tests/reference/canon_validate.R"', sprintf("cutoff = %d", cutoff),
  item("Smoking", "smoke", "==", 1, pts[1]), item("Hypertension", "ht", "==", 1, pts[2]),
  item("Uterine irritability", "ui", "==", 1, pts[3]), item("Previous premature labour", "ptl", ">", 0, pts[4]),
  item("Non-white", "race", ">", 1, pts[5]),
  "", "[model]", sprintf("intercept = %.17g", model[1]), sprintf("slope = %.17g", model[2]),
  'outcome = "low"', 'fitted_in = "odd rows of MASS::birthwt"'),
  file.path(out, "birthwt_stored.toml"))
write.csv(val, file.path(out, "birthwt_val.csv"), row.names = FALSE)

s <- as.vector(as.matrix(items(val)) %*% pts)
y <- val$low
lp <- model[1] + model[2] * s
p <- plogis(lp)
vp <- val.prob(p, y, pl = FALSE)
Sm <- lowess(p, y, iter = 0)
er <- abs(p - approx(Sm, xout = p, ties = mean)$y)
brier <- mean((p - y)^2)
tight <- glm.control(epsilon = 1e-14, maxit = 100)
citl <- glm(y ~ offset(lp), family = binomial, control = tight)
cslope <- glm(y ~ lp, family = binomial, control = tight)
pt <- (1:99) / 100
nb <- function(treat) sapply(pt, function(t) {
  tr <- treat(t); sum(tr & y == 1) / length(y) - sum(tr & y == 0) / length(y) * t / (1 - t) })
nb_model <- nb(function(t) p >= t)
nb_cutoff <- nb(function(t) s >= cutoff)
nb_all <- nb(function(t) rep(TRUE, length(y)))
odds <- pt / (1 - pt)
write.csv(data.frame(low = y, p = p, score_ge_cutoff = as.integer(s >= cutoff)),
          file.path(out, "val_risks.csv"), row.names = FALSE)
# ---- derive --firth: on all of birthwt, "age >= 35" separates (5 mothers, none with a low-weight baby), so glm's
# estimate diverges; Firth's estimates (brglm2 AS_mean) are finite. Points = round(b / min |b|) (sign kept).
writeLines(c('name = "birthwt-separation"',
  '[[candidate]]', 'label = "Smoking"', 'column = "smoke"',
  '[[candidate]]', 'label = "Hypertension"', 'column = "ht"',
  '[[candidate]]', 'label = "Uterine irritability"', 'column = "ui"',
  '[[candidate]]', 'label = "Age >= 35"', 'column = "age"', 'op = ">="', 'threshold = 35.0'),
  file.path(out, "candidates_separation.toml"))
write.csv(bw, file.path(out, "birthwt.csv"), row.names = FALSE)
suppressPackageStartupMessages(library(brglm2))
Xs <- data.frame(smoke = bw$smoke, ht = bw$ht, ui = bw$ui, age_ge35 = as.integer(bw$age >= 35))
ff <- glm(bw$low ~ ., family = binomial, data = Xs, method = "brglmFit", type = "AS_mean",
          control = brglmControl(epsilon = 1e-12, maxit = 1000))
bf <- coef(ff)[-1]
ml <- suppressWarnings(glm(bw$low ~ ., family = binomial, data = Xs))
firth <- list(coefficients = unname(bf), std_errors = unname(sqrt(diag(vcov(ff)))[-1]),
              points = unname(round(bf / min(abs(bf)))), ml_age_coefficient = unname(coef(ml)[5]))

expected <- list(
  firth = firth, r2cs_dev = r2cs_dev, n_dev = nrow(dev), events_dev = sum(dev$low),
  n = length(y), events = sum(y), points = pts, model = model, cutoff = cutoff,
  val_prob = as.list(vp),
  brier = brier, scaled_brier = 1 - brier / (mean(y) * (1 - mean(y))),
  ici = mean(er), e50 = median(er), e90 = unname(quantile(er, 0.9)), emax = max(er),
  citl = unname(coef(citl)), slope = unname(coef(cslope)[2]),
  thresholds = pt, prevalence = mean(y),
  net_benefit_model = nb_model, net_benefit_cutoff = nb_cutoff, net_benefit_all = nb_all,
  interventions_avoided_model = (nb_model - nb_all) / odds,
  interventions_avoided_cutoff = (nb_cutoff - nb_all) / odds)
writeLines(toJSON(expected, digits = I(17), auto_unbox = TRUE, pretty = TRUE), file.path(out, "expected.json"))
cat("wrote", out, "\n")
