# Reference p-values of Fisher's exact test on r×c tables (calcscore compare; stats::fisher.test).
# Run from the repository root:  Rscript tests/reference/fisher_rxc.R
# Prints each fisher.test p-value at 17 significant digits (copied, with its call, into
# tests/cli_htest.rs) and writes tests/reference/fisher_rxc/compare.csv.
# R 4.2.2, base R only. Every expected number comes from R, never from calcscore.

show <- function(what, x) {
  p <- fisher.test(x)$p.value
  cat(sprintf("%-28s p = %.17g\n", what, p))
}

# 2×3: rows (3, 2, 0) and (1, 4, 5)
show("2x3", matrix(c(3, 1, 2, 4, 0, 5), nrow = 2))
# 3×3: rows (2, 1, 0), (0, 3, 1), (1, 0, 4)
show("3x3", matrix(c(2, 0, 1, 1, 3, 0, 0, 1, 4), nrow = 3))
# 3×3 with symmetric margins (many tables tie with the observed one): rows (3, 1, 1), (1, 3, 1), (1, 1, 3)
show("3x3 ties", matrix(c(3, 1, 1, 1, 3, 1, 1, 1, 3), nrow = 3))
# 2×4: rows (5, 0, 2, 1) and (1, 4, 2, 6)
show("2x4", matrix(c(5, 1, 0, 4, 2, 2, 1, 6), nrow = 2))
# 2×2: the r×c enumeration must give fisher.test's 2×2 p-value
show("2x2", matrix(c(3, 1, 1, 3), nrow = 2))
# 2×8, n = 322: too many tables to list one by one (the network algorithm's bounds are needed)
show("2x8", matrix(c(25, 15, 18, 22, 30, 12, 20, 20, 17, 23, 21, 19, 26, 14, 16, 24), nrow = 2))
# 2×10, n = 991: fisher.test refuses it with its default workspace (FEXACT error 7, LDSTP too small), and so
# does calcscore (too many steps): compare then reports the chi-squared test only
big <- matrix(c(50, 45, 45, 52, 60, 41, 40, 60, 55, 44, 48, 50, 52, 49, 47, 53, 61, 38, 39, 62), nrow = 2)
print(tryCatch(fisher.test(big)$p.value, error = function(e) conditionMessage(e)))

# Through `calcscore compare`: group A/B by stage I/II/III, the 2×3 table above
d <- data.frame(
  group = rep(c("A", "A", "A", "B", "B", "B"), times = c(3, 2, 0, 1, 4, 5)),
  stage = rep(c("I", "II", "III", "I", "II", "III"), times = c(3, 2, 0, 1, 4, 5))
)
dir.create("tests/reference/fisher_rxc", showWarnings = FALSE)
write.csv(d, "tests/reference/fisher_rxc/compare.csv", row.names = FALSE, quote = FALSE)
show("compare group x stage", table(d$group, d$stage))
# chisq.test of the same table, as compare also reports (with R's warning about small expected counts)
cs <- suppressWarnings(chisq.test(table(d$group, d$stage)))
cat(sprintf("%-28s X-squared = %.17g, df = %d, p = %.17g\n", "compare chisq", cs$statistic, cs$parameter, cs$p.value))
