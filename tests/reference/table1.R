# Reference values for tests/cli_table1.rs (table1 --factors): a numeric-coded grade summarised as a factor.
# Writes tests/reference/table1/factors.csv (the data, deterministic) and factors.json (R's counts per level and
# group from table(), column percentages from prop.table(), and chisq.test()'s p-value on the grade x group
# table, no continuity correction as R applies none beyond 2x2).
# Run from the repository root:  Rscript tests/reference/table1.R
g <- rep(c("a", "b"), times = c(34, 26))
grade <- c(rep(1:3, times = c(15, 12, 5)), NA, NA,   # group a: 15, 12, 5 and 2 missing
           rep(1:3, times = c(6, 10, 9)), NA)        # group b: 6, 10, 9 and 1 missing
sev <- round(seq(1, 6, length.out = 60), 2)
y <- as.integer(seq_len(60) %% 3 == 0)
d <- data.frame(g = g, grade = grade, sev = sev, y = y)
write.csv(d, "tests/reference/table1/factors.csv", row.names = FALSE, na = "")
t <- table(d$grade, d$g)
pct <- 100 * prop.table(t, 2)
overall <- table(d$grade)
p <- chisq.test(t)$p.value
lvl <- rownames(t)
rows <- sapply(seq_along(lvl), function(k) sprintf(
  '{"level": "%s", "overall": %d, "overall_pct": %.10f, "a": %d, "a_pct": %.10f, "b": %d, "b_pct": %.10f}',
  lvl[k], overall[k], 100 * overall[k] / sum(overall), t[k, "a"], pct[k, "a"], t[k, "b"], pct[k, "b"]))
json <- sprintf('{\n  "r_call": "chisq.test(table(grade, g))",\n  "p_value": %.15g,\n  "missing": %d,\n  "levels": [\n    %s\n  ]\n}\n',
  p, sum(is.na(d$grade)), paste(rows, collapse = ",\n    "))
writeLines(json, "tests/reference/table1/factors.json", sep = "")
