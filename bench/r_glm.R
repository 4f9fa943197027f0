# Anchor for `calcscore fit --family binomial`: data.table::fread + glm(binomial) + summary, whole process.
# Usage: Rscript bench/r_glm.R FILE.csv [cluster]   (with `cluster`: + sandwich::vcovCL(type = "HC1"), CR1)
suppressMessages(library(data.table))
args <- commandArgs(trailingOnly = TRUE)
d <- fread(args[1])
f <- y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10
g <- glm(f, family = binomial, data = d)
if (length(args) >= 2 && args[2] == "cluster") {
  suppressMessages(library(sandwich))
  v <- vcovCL(g, cluster = ~cluster, type = "HC1")
  se <- sqrt(diag(v))
} else {
  s <- summary(g)
  se <- coef(s)[, 2]
}
cat(sprintf("deviance %.10f se(x1) %.12g\n", deviance(g), se[["x1"]]))
