# The procedure that tests/reference/optimism.R and optimism_resample.R bootstrap, written out in R independently
# of calcscore (sourced by both; needs MASS::birthwt as `bw`, pROC, and GRID).
X_of <- function(d, t) data.frame(smoke = d$smoke, ui = d$ui, ptl = as.integer(d$ptl > 0),
                                  race = as.integer(d$race > 1), lwt = as.integer(d$lwt < t))

# glm as derive accepts it: converged and no fitted probability within 1e-10 of 0 or 1; else NULL
fit_glm <- function(f, data) {
  g <- tryCatch(suppressWarnings(glm(f, family = binomial, data = data)), error = function(e) NULL)
  if (is.null(g) || !g$converged || any(fitted(g) < 1e-10 | fitted(g) > 1 - 1e-10)) return(NULL)
  g
}

procedure <- function(d, cfg) {
  t <- 110
  if (cfg$search) {
    stat <- sapply(GRID, function(tt) {
      x <- as.integer(d$lwt < tt)
      if (length(unique(x)) < 2) return(NA)
      summary(lm(d$bwt ~ x))$coefficients[2, 3]
    })
    if (all(is.na(stat))) return(NULL)
    a <- abs(stat); a[is.na(a)] <- -Inf
    t <- GRID[max(which(a == max(a)))]   # the last of equal maxima
  }
  X <- X_of(d, t)
  if (cfg$linear) {
    m <- lm(d$bwt ~ ., data = X)
    if (any(is.na(coef(m)))) return(NULL)
    b <- coef(m)[-1]
    sgn <- if (mean(d$bwt[d$low == 1]) > mean(d$bwt[d$low == 0])) 1 else -1
  } else {
    g <- fit_glm(low ~ ., cbind(X, low = d$low))
    if (is.null(g)) return(NULL)
    b <- coef(g)[-1]; sgn <- 1
  }
  ref <- min(abs(b))
  if (!is.finite(ref) || ref <= 0 || any(abs(b / ref) > 100)) return(NULL)
  pts <- sgn * b / ref
  if (cfg$round) pts <- round(pts)   # R rounds half to even; a ratio at exactly .5 does not occur here
  s <- as.vector(as.matrix(X) %*% pts)
  if (length(unique(d$low)) < 2) return(NULL)
  r <- roc(d$low, s, direction = "<", levels = c(0, 1), quiet = TRUE)
  best <- coords(r, x = "best", best.method = "youden", ret = "threshold", transpose = FALSE)$threshold[1]
  lv <- sort(unique(s))
  cutoff <- if (is.infinite(best) && best > 0) max(lv) else min(lv[lv >= best])
  g2 <- fit_glm(low ~ s, data.frame(low = d$low, s = s))
  if (is.null(g2) || any(abs(coef(g2)) >= 30)) return(NULL)
  list(t = t, points = unname(pts), cutoff = cutoff, model = unname(coef(g2)))
}

indices <- function(p, d, in_sample) {
  s <- as.vector(as.matrix(X_of(d, p$t)) %*% p$points)
  y <- d$low
  lp <- p$model[1] + p$model[2] * s
  n1 <- sum(y == 1); n0 <- sum(y == 0)
  auc <- (sum(rank(s)[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
  if (in_sample) { ab <- c(0, 1); citl <- 0 } else {
    ab <- unname(coef(glm(y ~ lp, family = binomial)))
    citl <- unname(coef(glm(y ~ offset(lp), family = binomial)))
  }
  pr <- plogis(lp)
  c(Dxy = 2 * auc - 1, C = auc, Intercept = ab[1], Slope = ab[2], CITL = citl, B = mean((pr - y)^2),
    Sensitivity = sum(s >= p$cutoff & y == 1) / n1, Specificity = sum(s < p$cutoff & y == 0) / n0)
}

