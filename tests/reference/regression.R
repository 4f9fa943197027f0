# Reference fixtures for calcscore's regression engine (stats::ols, logistic, vcov, gee; `calcscore fit`).
# Run from the repository root:  Rscript tests/reference/regression.R
# Writes tests/reference/regression/<case>.csv (data) and <case>.json (expected values at %.17g).
# Needs MASS, sandwich, lmtest, geepack (all on CRAN). R >= 4.2.
suppressPackageStartupMessages({
  library(MASS); library(sandwich); library(lmtest); library(geepack)
})
out <- "tests/reference/regression"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

# --- minimal JSON writer at full double precision (no jsonlite dependency) ---
num <- function(x) if (is.na(x)) "null" else sprintf("%.17g", x)
js <- function(x) {
  if (is.list(x)) {
    if (is.null(names(x))) return(paste0("[", paste(vapply(x, js, ""), collapse = ", "), "]"))
    body <- paste0('"', names(x), '": ', vapply(x, js, ""), collapse = ",\n  ")
    return(paste0("{", body, "}"))
  }
  if (is.character(x)) return(if (length(x) == 1) paste0('"', x, '"') else paste0("[", paste0('"', x, '"', collapse = ", "), "]"))
  if (is.logical(x)) return(if (length(x) == 1) tolower(as.character(x)) else paste0("[", paste(tolower(x), collapse = ", "), "]"))
  if (length(x) == 1 && is.null(names(x))) return(num(x))
  paste0("[", paste(vapply(x, num, ""), collapse = ", "), "]")
}
save_json <- function(x, case) writeLines(js(x), file.path(out, paste0(case, ".json")))
save_csv <- function(d, case) write.csv(d, file.path(out, paste0(case, ".csv")), row.names = FALSE, na = "")

# Coefficient table from a coeftest / coefci pair (one covariance matrix drives both).
coefs <- function(ct, ci) {
  list(term = rownames(ct), estimate = unname(ct[, 1]), std_error = unname(ct[, 2]),
       statistic = unname(ct[, 3]), p_value = unname(ct[, 4]),
       conf_low = unname(ci[, 1]), conf_high = unname(ci[, 2]))
}
lm_case <- function(fit, V, df = fit$df.residual) {
  ct <- coeftest(fit, vcov. = V, df = df)
  ci <- coefci(fit, vcov. = V, df = df, level = 0.95)
  s <- summary(fit)
  list(coefficients = coefs(ct, ci), n = nobs(fit), df_residual = fit$df.residual,
       r_squared = s$r.squared, adj_r_squared = s$adj.r.squared, sigma = s$sigma,
       f_statistic = unname(s$fstatistic[1]),
       f_p_value = unname(pf(s$fstatistic[1], s$fstatistic[2], s$fstatistic[3], lower.tail = FALSE)))
}
glm_case <- function(fit, V) {
  ct <- coeftest(fit, vcov. = V)          # z for glm (binomial: no df)
  ci <- coefci(fit, vcov. = V, level = 0.95)
  list(coefficients = coefs(ct, ci), n = nobs(fit), df_residual = fit$df.residual,
       deviance = deviance(fit), null_deviance = fit$null.deviance, aic = AIC(fit),
       odds_ratio = unname(exp(coef(fit))), or_low = unname(exp(ci[, 1])), or_high = unname(exp(ci[, 2])))
}

# ---------------- birthwt (MASS) ----------------
bw <- MASS::birthwt
bw$race_txt <- c("white", "black", "other")[bw$race]   # levels sort to black < other < white (reference: black)
bw$low_txt <- ifelse(bw$low == 1, "yes", "no")          # second sorted level "yes" = 1
save_csv(bw, "birthwt")

f_lm <- bwt ~ age + lwt + factor(race) + smoke + smoke:age
m <- lm(f_lm, data = bw)
save_json(c(list(formula = "bwt ~ age + lwt + factor(race) + smoke + smoke:age", vcov = "classical"),
            lm_case(m, vcov(m))), "birthwt_lm_classical")
save_json(c(list(formula = "bwt ~ age + lwt + factor(race) + smoke + smoke:age", vcov = "HC0"),
            lm_case(m, vcovHC(m, type = "HC0"))), "birthwt_lm_hc0")
save_json(c(list(formula = "bwt ~ age + lwt + factor(race) + smoke + smoke:age", vcov = "HC1"),
            lm_case(m, vcovHC(m, type = "HC1"))), "birthwt_lm_hc1")

# a*b expansion, I() indicator, text factor, intercept removal (term order as R's terms()).
m2 <- lm(bwt ~ age * smoke + I(lwt > 120) + race_txt, data = bw)
save_json(c(list(formula = "bwt ~ age * smoke + I(lwt > 120) + race_txt", vcov = "classical"),
            lm_case(m2, vcov(m2))), "birthwt_lm_star")
m3 <- lm(bwt ~ lwt + smoke - 1, data = bw)
s3 <- summary(m3)
save_json(c(list(formula = "bwt ~ lwt + smoke - 1", vcov = "classical"), lm_case(m3, vcov(m3))), "birthwt_lm_noint")

# Joint Wald test of factor(race) (classical: F), checked against anova of the nested pair.
red <- lm(bwt ~ age + lwt + smoke + smoke:age, data = bw)
a <- anova(red, m)
idx <- grep("^factor\\(race\\)", names(coef(m)))
b <- coef(m)[idx]; V <- vcov(m)[idx, idx]
Fw <- drop(t(b) %*% solve(V, b)) / length(idx)
Vh <- vcovHC(m, type = "HC1")[idx, idx]
W1 <- drop(t(b) %*% solve(Vh, b))
save_json(list(terms = names(b), f_statistic = a$F[2], df1 = a$Df[2], df2 = a$Res.Df[2],
               p_value = a$`Pr(>F)`[2], f_wald = Fw,
               hc1_chisq = W1, hc1_df = length(idx), hc1_p_value = pchisq(W1, length(idx), lower.tail = FALSE),
               reduced = "bwt ~ age + lwt + smoke + smoke:age", rss_reduced = a$RSS[1], rss_full = a$RSS[2]),
          "birthwt_lm_anova")

f_glm <- low ~ age + lwt + factor(race) + smoke + ptl + ht + ui
g <- glm(f_glm, family = binomial, data = bw)
save_json(c(list(formula = "low ~ age + lwt + factor(race) + smoke + ptl + ht + ui", vcov = "classical",
                 iterations = g$iter), glm_case(g, vcov(g))), "birthwt_glm_classical")
save_json(c(list(formula = "low ~ age + lwt + factor(race) + smoke + ptl + ht + ui", vcov = "HC0"),
            glm_case(g, vcovHC(g, type = "HC0"))), "birthwt_glm_hc0")
gr <- glm(low ~ age + lwt, family = binomial, data = bw)
lr <- anova(gr, g, test = "LRT")
idx <- grep("^factor\\(race\\)", names(coef(g)))
b <- coef(g)[idx]; W <- drop(t(b) %*% solve(vcov(g)[idx, idx], b))
save_json(list(reduced = "low ~ age + lwt", lr_statistic = lr$Deviance[2], df = lr$Df[2],
               p_value = lr$`Pr(>Chi)`[2], race_wald_chisq = W, race_wald_df = length(idx),
               race_wald_p_value = pchisq(W, length(idx), lower.tail = FALSE)), "birthwt_glm_anova")

# ---------------- ChickWeight (datasets): lm with cluster-robust covariances ----------------
cw <- data.frame(weight = ChickWeight$weight, Time = ChickWeight$Time,
                 Chick = as.integer(as.character(ChickWeight$Chick)), Diet = as.integer(as.character(ChickWeight$Diet)))
save_csv(cw, "chickweight")
mc <- lm(weight ~ Time + factor(Diet), data = cw)
save_json(c(list(formula = "weight ~ Time + factor(Diet)", vcov = "CR0", clusters = length(unique(cw$Chick))),
            lm_case(mc, vcovCL(mc, cluster = ~Chick, type = "HC0"))), "chick_lm_cr0")
save_json(c(list(formula = "weight ~ Time + factor(Diet)", vcov = "CR1", clusters = length(unique(cw$Chick))),
            lm_case(mc, vcovCL(mc, cluster = ~Chick, type = "HC1"))), "chick_lm_cr1")
ge <- function(fit) {
  s <- summary(fit)$coefficients
  z <- qnorm(0.975)
  list(coefficients = list(term = rownames(s), estimate = unname(s[, 1]), std_error = unname(s[, 2]),
                           statistic = unname(s[, 1] / s[, 2]), p_value = unname(s[, 4]),
                           conf_low = unname(s[, 1] - z * s[, 2]), conf_high = unname(s[, 1] + z * s[, 2])),
       wald = unname(s[, 3]), alpha = if (is.null(fit$geese$alpha)) NA else unname(fit$geese$alpha[1]),
       scale = unname(fit$geese$gamma[1]), n = nrow(fit$data), clusters = length(unique(fit$id)))
}
gci <- geeglm(weight ~ Time + factor(Diet), id = Chick, data = cw[order(cw$Chick), ], corstr = "independence")
save_json(c(list(formula = "weight ~ Time + factor(Diet)", corstr = "independence"), ge(gci)), "chick_gee_ind")
gce <- geeglm(weight ~ Time + factor(Diet), id = Chick, data = cw[order(cw$Chick), ], corstr = "exchangeable")
save_json(c(list(formula = "weight ~ Time + factor(Diet)", corstr = "exchangeable"), ge(gce)), "chick_gee_exch")

# ---------------- ohio (geepack): glm with cluster-robust covariances and GEE ----------------
data(ohio, package = "geepack")
save_csv(ohio, "ohio")
go <- glm(resp ~ age + smoke, family = binomial, data = ohio)
save_json(c(list(formula = "resp ~ age + smoke", vcov = "CR0", clusters = length(unique(ohio$id))),
            glm_case(go, vcovCL(go, cluster = ~id, type = "HC0"))), "ohio_glm_cr0")
save_json(c(list(formula = "resp ~ age + smoke", vcov = "CR1", clusters = length(unique(ohio$id))),
            glm_case(go, vcovCL(go, cluster = ~id, type = "HC1"))), "ohio_glm_cr1")
goi <- geeglm(resp ~ age + smoke, family = binomial, id = id, data = ohio, corstr = "independence")
save_json(c(list(formula = "resp ~ age + smoke", corstr = "independence"), ge(goi)), "ohio_gee_ind")
goe <- geeglm(resp ~ age + smoke, family = binomial, id = id, data = ohio, corstr = "exchangeable")
save_json(c(list(formula = "resp ~ age + smoke", corstr = "exchangeable"), ge(goe)), "ohio_gee_exch")

# ---------------- separation (toy): glm warns "fitted probabilities numerically 0 or 1" ----------------
sep <- data.frame(x = c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), z = c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3),
                  y = c(0, 0, 0, 0, 0, 1, 1, 1, 1, 1))
save_csv(sep, "separated")
ws <- character(0)
gs <- withCallingHandlers(glm(y ~ x + z, family = binomial, data = sep),
                          warning = function(w) { ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning") })
save_json(list(formula = "y ~ x + z", r_warnings = ws, converged = gs$converged,
               max_abs_coef = max(abs(coef(gs)))), "separated")

# ---------------- bad input for CLI error tests ----------------
bad <- data.frame(y = c(1.2, 2.3, 3.1, 4.8, 5.0, 6.1), x = c("1", "2", "3,5", "4", "5", "6"),
                  k = c(7, 7, 7, 7, 7, 7), one = c(1, 1, 1, 1, 1, 1), w = c(0.5, 1.5, 1.0, 3.0, 2.2, 4.1))
save_csv(bad, "bad")
cat("wrote fixtures to", out, "\n")
