# Reference fixtures for R's formula spellings in `calcscore fit` (y ~ ., log(), sqrt(), exp(), I(x^2),
# factor(x > 3), - 1 / + 0) on MASS::birthwt, with lm/glm and sandwich::vcovHC(type = "HC1").
# Run from the repository root:  Rscript tests/reference/rspell.R
# Writes tests/reference/rspell/<case>.csv (data) and <case>.json (expected values at %.17g).
suppressPackageStartupMessages({ library(MASS); library(sandwich); library(lmtest) })
out <- "tests/reference/rspell"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

num <- function(x) if (is.na(x)) "null" else sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(vapply(x, num, ""), collapse = ", "), "]")
str <- function(x) paste0("[", paste0('"', x, '"', collapse = ", "), "]")
save_case <- function(fit, formula, case, V = vcov(fit)) {
  ct <- coeftest(fit, vcov. = V, df = if (inherits(fit, "glm")) Inf else fit$df.residual)
  body <- c(sprintf('"formula": "%s"', formula),
            sprintf('"term": %s', str(rownames(ct))),
            sprintf('"estimate": %s', vec(ct[, 1])),
            sprintf('"std_error": %s', vec(ct[, 2])),
            sprintf('"n": %d', nobs(fit)))
  writeLines(paste0("{", paste(body, collapse = ",\n "), "}"), file.path(out, paste0(case, ".json")))
}

bw <- MASS::birthwt                          # low age lwt race smoke ptl ht ui ftv bwt
write.csv(bw, file.path(out, "birthwt.csv"), row.names = FALSE)
bw_nobwt <- bw[, names(bw) != "bwt"]         # low ~ . without bwt (which defines low)
write.csv(bw_nobwt, file.path(out, "birthwt_nobwt.csv"), row.names = FALSE)

m <- lm(bwt ~ ., data = bw)
save_case(m, "bwt ~ .", "lm_dot")
g <- glm(low ~ ., family = binomial, data = bw_nobwt)
save_case(g, "low ~ .", "glm_dot")
f <- "bwt ~ log(lwt) + sqrt(age) + I(age^2) + exp(ht) + factor(ftv > 1) + smoke"
m <- lm(as.formula(f), data = bw)
save_case(m, f, "lm_transforms")
save_case(m, f, "lm_transforms_hc1", V = vcovHC(m, type = "HC1"))
f <- "low ~ age + lwt + smoke - 1"
g <- glm(as.formula(f), family = binomial, data = bw)
save_case(g, f, "glm_no_intercept")
