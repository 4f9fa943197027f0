# Independent R reference for `calcscore reproduce zhang2021` on the shipped synthetic registry.
#
# Inputs:  datasets/zhang2021_synthetic.csv (the registry) and tests/reference/zhang2021/split.csv
#          (lesion_id, cohort: the seeded random A/B split is an *input* here; C and D and everything
#          else -- expansion, score, flow, every model -- is recomputed from the raw registry below).
# Output:  tests/reference/zhang2021/expected.json, numbers at 17 significant digits.
# Run from the repository root:  Rscript tests/reference/zhang2021.R
suppressPackageStartupMessages({
  library(sandwich)
  library(pROC)
})

reg <- read.csv("datasets/zhang2021_synthetic.csv", stringsAsFactors = FALSE)
split <- read.csv("tests/reference/zhang2021/split.csv", stringsAsFactors = FALSE)

# Flow (Figure 1): stage 1 rules counted among all lesions (overlapping), then sequential stages.
angle_le <- reg$max_calcium_angle_deg <= 270
no_ivus <- !(reg$pre_ivus == 1 & reg$post_ivus == 1)
stage1 <- reg$cto == 1 | reg$isr == 1 | angle_le | no_ivus
s2 <- reg[!stage1, ]
cutting <- s2$cutting_scoring_balloon == 1
s3 <- s2[!cutting, ]
athero_no_angio <- s3$atherectomy != "none" & s3$angio_calcium == 0
studied <- s3[!athero_no_angio, ]

# Cohorts: C and D by rule; A/B from the split file.
studied$cohort <- ifelse(studied$angio_calcium == 1 & studied$atherectomy != "none", "C",
                  ifelse(studied$angio_calcium == 0, "D", NA))
ab <- split[split$cohort %in% c("A", "B"), ]
studied$cohort[match(ab$lesion_id, studied$lesion_id)] <- ab$cohort
stopifnot(!any(is.na(studied$cohort)))

# Outcome and score (mean-reference expansion; one point per item).
d <- studied
d$stent_expansion_pct <- d$stent_area_mm2 / ((d$ref_lumen_area_proximal_mm2 + d$ref_lumen_area_distal_mm2) / 2) * 100
d$underexpansion <- as.integer(d$stent_expansion_pct < 70)
d$calcium_270_length_mm_gt5 <- as.integer(d$calcium_270_length_mm > 5)
d$vessel_diameter_mm_lt3p5 <- as.integer(d$vessel_diameter_mm < 3.5)
d$score <- d$calcium_270_length_mm_gt5 + d$calcium_360 + d$calcified_nodule + d$vessel_diameter_mm_lt3p5
d$atherectomy_cohort <- as.integer(d$cohort == "C")

# Coefficient table with cluster-robust covariance by patient (vcovCL type HC1, the default), as lmtest::coeftest:
# t with residual df for lm, z for glm.
tidy_cl <- function(fit, data) {
  V <- vcovCL(fit, cluster = ~patient_id, type = "HC1")
  b <- coef(fit); se <- sqrt(diag(V)); s <- b / se
  if (inherits(fit, "glm")) {
    p <- 2 * pnorm(-abs(s)); q <- qnorm(0.975)
  } else {
    p <- 2 * pt(-abs(s), fit$df.residual); q <- qt(0.975, fit$df.residual)
  }
  data.frame(term = names(b), estimate = b, std_error = se, statistic = s, p_value = p,
             conf_low = b - q * se, conf_high = b + q * se, stringsAsFactors = FALSE)
}

A <- d[d$cohort == "A", ]
items <- "calcium_270_length_mm_gt5 + calcium_360 + calcified_nodule + vessel_diameter_mm_lt3p5"
lin <- tidy_cl(lm(as.formula(paste("stent_expansion_pct ~", items)), data = A), A)
logi <- tidy_cl(glm(as.formula(paste("underexpansion ~", items)), family = binomial, data = A), A)

slopes <- lapply(c("A", "B", "C", "D"), function(k) {
  x <- d[d$cohort == k, ]
  t <- tidy_cl(lm(stent_expansion_pct ~ score, data = x), x)
  t[t$term == "score", ]
})
names(slopes) <- c("A", "B", "C", "D")
BC <- d[d$cohort %in% c("B", "C"), ]
inter <- tidy_cl(lm(stent_expansion_pct ~ score * atherectomy_cohort, data = BC), BC)
inter <- inter[inter$term == "score:atherectomy_cohort", ]

# ROC of the score in A+B (controls < cases), DeLong CI, Youden best threshold; accuracy at >= 2.
AB <- d[d$cohort %in% c("A", "B"), ]
r <- roc(AB$underexpansion, AB$score, direction = "<", levels = c(0, 1), quiet = TRUE)
ci <- ci.auc(r, method = "delong")
best <- coords(r, x = "best", best.method = "youden", ret = c("threshold", "sensitivity", "specificity"))
pos <- AB$score >= 2
tn <- sum(!pos & AB$underexpansion == 0); fn <- sum(!pos & AB$underexpansion == 1)
npv <- binom.test(tn, tn + fn)

# Fracture C vs B (chisq.test default: Yates), Fisher.
fx <- function(k) { x <- d$calcium_fracture[d$cohort == k]; c(sum(x == 1), length(x)) }
fc <- fx("C"); fb <- fx("B")
tab <- matrix(c(fc[1], fc[2] - fc[1], fb[1], fb[2] - fb[1]), nrow = 2, byrow = TRUE)
chi <- suppressWarnings(chisq.test(tab))
fis <- fisher.test(tab)

# Pre-stent IVUS after preparation.
pr <- d[!is.na(d$prep_ivus) & d$prep_ivus == 1, ]
pf <- pr$stent_expansion_pct[pr$prep_fracture == 1]
tt <- t.test(pf)

num <- function(x) sprintf("%.17g", x)
row_json <- function(t) sprintf('{"term": "%s", "estimate": %s, "std_error": %s, "statistic": %s, "p_value": %s, "conf_low": %s, "conf_high": %s}',
  t$term, num(t$estimate), num(t$std_error), num(t$statistic), num(t$p_value), num(t$conf_low), num(t$conf_high))
rows_json <- function(t) paste0("[", paste(sapply(seq_len(nrow(t)), function(i) row_json(t[i, ])), collapse = ", "), "]")

out <- c(
  "{",
  sprintf('"flow": {"input": %d, "meeting_angle": %d, "meeting_no_ivus": %d, "overlap": %d, "after_stage1": %d, "cutting": %d, "athero_no_angio": %d, "studied": %d, "studied_patients": %d, "input_patients": %d},',
    nrow(reg), sum(angle_le), sum(no_ivus), sum(angle_le & no_ivus), sum(!stage1), sum(cutting), sum(athero_no_angio),
    nrow(studied), length(unique(studied$patient_id)), length(unique(reg$patient_id))),
  sprintf('"cohort_n": {"A": %d, "B": %d, "C": %d, "D": %d},', sum(d$cohort == "A"), sum(d$cohort == "B"), sum(d$cohort == "C"), sum(d$cohort == "D")),
  sprintf('"derivation_linear": %s,', rows_json(lin)),
  sprintf('"derivation_logistic": %s,', rows_json(logi)),
  sprintf('"slopes": {"A": %s, "B": %s, "C": %s, "D": %s},', row_json(slopes$A), row_json(slopes$B), row_json(slopes$C), row_json(slopes$D)),
  sprintf('"interaction": %s,', row_json(inter)),
  sprintf('"roc": {"auc": %s, "conf_low": %s, "conf_high": %s, "youden_threshold": %s, "youden_sensitivity": %s, "youden_specificity": %s},',
    num(as.numeric(r$auc)), num(ci[1]), num(ci[3]), num(best$threshold[1]), num(best$sensitivity[1]), num(best$specificity[1])),
  sprintf('"npv": {"estimate": %s, "x": %d, "n": %d, "conf_low": %s, "conf_high": %s},', num(tn / (tn + fn)), tn, tn + fn, num(npv$conf.int[1]), num(npv$conf.int[2])),
  sprintf('"fracture": {"C": [%d, %d], "B": [%d, %d], "chisq_yates_p": %s, "chisq_yates_statistic": %s, "fisher_p": %s},',
    fc[1], fc[2], fb[1], fb[2], num(chi$p.value), num(chi$statistic), num(fis$p.value)),
  sprintf('"d_underexpansion": %d, "d_score4": %d, "nodule": [%d, %d],', sum(d$underexpansion[d$cohort == "D"]), sum(d$score[d$cohort == "D"] == 4),
    sum(d$calcified_nodule), nrow(d)),
  sprintf('"prep": {"n": %d, "n_fracture": %d, "mean": %s, "sd": %s, "conf_low": %s, "conf_high": %s}',
    nrow(pr), length(pf), num(mean(pf)), num(sd(pf)), num(tt$conf.int[1]), num(tt$conf.int[2])),
  "}")
dir.create("tests/reference/zhang2021", showWarnings = FALSE, recursive = TRUE)
writeLines(out, "tests/reference/zhang2021/expected.json")
cat("wrote tests/reference/zhang2021/expected.json\n")

# ---- Issue 14: the score in B alone, and calibration in B of A's logistic model underexpansion ~ score. ----
B <- d[d$cohort == "B", ]
rb <- roc(B$underexpansion, B$score, direction = "<", levels = c(0, 1), quiet = TRUE)
cib <- ci.auc(rb, method = "delong")
posb <- B$score >= 2
tnb <- sum(!posb & B$underexpansion == 0); fnb <- sum(!posb & B$underexpansion == 1)
npvb <- binom.test(tnb, tnb + fnb)
tight <- glm.control(epsilon = 1e-14, maxit = 100)
calA <- glm(underexpansion ~ score, family = binomial, data = A, control = tight)
lpB <- predict(calA, newdata = B)                       # log-odds of A's model in B
citl <- glm(B$underexpansion ~ offset(lpB), family = binomial, control = tight)
cslope <- glm(B$underexpansion ~ lpB, family = binomial, control = tight)
wald <- function(f, j) { e <- coef(f)[j]; se <- sqrt(diag(vcov(f)))[j]
  sprintf('{"estimate": %s, "conf_low": %s, "conf_high": %s}', num(e), num(e - qnorm(0.975) * se), num(e + qnorm(0.975) * se)) }
ids <- function(k) unique(d$patient_id[d$cohort == k])
writeLines(c("{",
  sprintf('"auc": {"estimate": %s, "conf_low": %s, "conf_high": %s},', num(as.numeric(rb$auc)), num(cib[1]), num(cib[3])),
  sprintf('"npv": {"estimate": %s, "conf_low": %s, "conf_high": %s},', num(tnb / (tnb + fnb)), num(npvb$conf.int[1]), num(npvb$conf.int[2])),
  sprintf('"calibration_intercept": %s,', wald(citl, 1)),
  sprintf('"calibration_slope": %s,', wald(cslope, 2)),
  sprintf('"patients_in_A_and_B": %d', length(intersect(ids("A"), ids("B")))),
  "}"), "tests/reference/zhang2021/b_only_expected.json")
cat("wrote tests/reference/zhang2021/b_only_expected.json\n")
