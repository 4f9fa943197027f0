# Reference for the model matrix's factor coding (R's model.c TermCode rule), used by tests/cli_fit.rs:
# a factor is coded by treatment contrasts only when its margin (the term without it) is in an earlier term
# (the intercept for a main effect); without an intercept the first factor gets every level.
# Run from the repository root:  Rscript tests/reference/factor_coding.R   (base R only; R >= 4.2)
# Writes tests/reference/regression/factor_coding.json: per case the formula, family, and R's coefficient
# names, estimates and standard errors (summary()), at %.17g; and one anova() of models nested by span only.
d <- read.csv("tests/reference/regression/birthwt.csv")
cases <- list(
  list("bwt ~ factor(race) - 1", "gaussian"),
  list("bwt ~ factor(race):lwt", "gaussian"),
  list("bwt ~ factor(race) + factor(race):lwt", "gaussian"),
  list("bwt ~ factor(race) + factor(race):lwt - 1", "gaussian"),
  list("bwt ~ lwt + factor(race) - 1", "gaussian"),
  list("bwt ~ factor(race) + factor(smoke) - 1", "gaussian"),
  list("bwt ~ factor(race):factor(smoke) - 1", "gaussian"),
  list("bwt ~ factor(smoke) + factor(race):factor(smoke)", "gaussian"),
  list("low ~ factor(race) - 1", "binomial"),
  list("low ~ factor(race) + factor(race):lwt", "binomial")
)
num <- function(x) paste(sprintf("%.17g", x), collapse = ", ")
str <- function(x) paste0('"', x, '"', collapse = ", ")
one <- function(cs) {
  f <- as.formula(cs[[1]])
  fit <- if (cs[[2]] == "gaussian") lm(f, data = d) else glm(f, family = binomial, data = d)
  ct <- summary(fit)$coefficients
  stopifnot(!anyNA(coef(fit)))  # every case has a full-rank model matrix
  sprintf('{"formula": "%s", "family": "%s", "term": [%s], "estimate": [%s], "std_error": [%s]}',
          cs[[1]], cs[[2]], str(rownames(ct)), num(ct[, 1]), num(ct[, 2]))
}
body <- paste(vapply(cases, one, ""), collapse = ",\n  ")
# A comparison nested by span though not by names: the intercept against every level of race.
a <- anova(lm(bwt ~ 1, data = d), lm(bwt ~ factor(race) - 1, data = d))
nested <- sprintf('"nested_anova": {"full": "bwt ~ factor(race) - 1", "reduced": "bwt ~ 1", "f": %s, "df": %s, "p_value": %s}',
                  num(a$F[2]), num(a$Df[2]), num(a$`Pr(>F)`[2]))
writeLines(paste0('{"r_version": "', R.version.string, '",\n ', nested, ',\n "cases": [\n  ', body, "\n]}"),
           "tests/reference/regression/factor_coding.json")
