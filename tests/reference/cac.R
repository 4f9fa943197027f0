# Reference values for `calcscore progression` (CAC follow-up schema) on real paired data.
# Run from the repository root:  TZ=UTC Rscript tests/reference/cac.R
# Writes tests/reference/cac/{shoes_sleep.csv, anorexia.csv, expected.json} (numbers at 17 significant digits).
# R 4.2 with MASS. Every expected number comes from R, never from calcscore.
#
# Data (real, public, transformed only to fit the schema's ranges; the tests compare on the transformed values):
#   shoes_sleep.csv  10 rows. Agatston before/after = 10 x MASS::shoes$A / $B (shoe-sole wear, paired boys);
#                    BMD before/after = 1 + datasets::sleep$extra / 10 for drug 1 / drug 2 (same 10 subjects);
#                    scan dates 2015-01-01 and 180 + 20*i days later (i = 1..10).
#   anorexia.csv     72 rows. Agatston before/after = MASS::anorexia$Prewt / $Postwt (lb); dates 365 days apart;
#                    no BMD. Differences have ties, so the signed-rank test uses the normal approximation.

suppressMessages(library(MASS))

# Minimal JSON writer at 17 significant digits (NA as null), as tests/reference/htest.R.
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.list(x)) {
    body <- vapply(seq_along(x), function(i) {
      paste0(inner, '"', names(x)[i], '": ', to_json(x[[i]], inner))
    }, "")
    return(paste0("{\n", paste(body, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.character(x)) return(paste0('"', gsub('"', '\\\\"', x), '"'))
  ifelse(is.na(x) | !is.finite(x), "null", sprintf("%.17g", x))
}

out <- "tests/reference/cac"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

htest <- function(t) {
  list(
    method = t$method,
    statistic = unname(t$statistic),
    p_value = t$p.value,
    estimate = if (is.null(t$estimate)) NA else unname(t$estimate),
    conf_low = if (is.null(t$conf.int)) NA else t$conf.int[1],
    conf_high = if (is.null(t$conf.int)) NA else t$conf.int[2]
  )
}

write_cac <- function(id, before, after, d0, d1, bmd0 = NULL, bmd1 = NULL, file) {
  df <- data.frame(
    patient_id = id, age_years = 70, sex = "f", evaluable = 1,
    scan_date_before = format(d0), scan_date_after = format(d1),
    agatston_before = before, agatston_after = after
  )
  if (!is.null(bmd0)) {
    df$bmd_before <- bmd0
    df$bmd_after <- bmd1
  }
  write.csv(df, file.path(out, file), row.names = FALSE)
  # Read back what calcscore will read (write.csv keeps 15 significant digits).
  read.csv(file.path(out, file), stringsAsFactors = FALSE)
}

analyse <- function(d, natural = 33) {
  years <- as.numeric(as.Date(d$scan_date_after) - as.Date(d$scan_date_before)) / 365.25
  pct <- 100 * (d$agatston_after - d$agatston_before) / d$agatston_before
  res <- list(
    n = nrow(d),
    cac_pct_change_mean = mean(pct),
    cac_pct_change_per_year_mean = mean(pct / years),
    cac_paired_t = htest(t.test(d$agatston_after, d$agatston_before, paired = TRUE)),
    cac_wilcoxon = htest(suppressWarnings(wilcox.test(d$agatston_after, d$agatston_before, paired = TRUE))),
    natural_rate_t = htest(t.test(pct / years, mu = natural))
  )
  if (!is.null(d$bmd_before)) {
    bpct <- 100 * (d$bmd_after - d$bmd_before) / d$bmd_before
    res$bmd_paired_t <- htest(t.test(d$bmd_after, d$bmd_before, paired = TRUE))
    res$bmd_wilcoxon <- htest(suppressWarnings(wilcox.test(d$bmd_after, d$bmd_before, paired = TRUE)))
    res$pearson <- htest(cor.test(bpct, pct))
    res$spearman <- htest(suppressWarnings(cor.test(bpct, pct, method = "spearman")))
  }
  res
}

i <- 1:10
d0 <- as.Date("2015-01-01")
ss <- write_cac(
  sprintf("S%02d", i), 10 * shoes$A, 10 * shoes$B, d0, d0 + 180 + 20 * i,
  1 + sleep$extra[sleep$group == 1] / 10, 1 + sleep$extra[sleep$group == 2] / 10,
  "shoes_sleep.csv"
)
an <- write_cac(
  sprintf("A%02d", seq_len(nrow(anorexia))), anorexia$Prewt, anorexia$Postwt,
  d0, d0 + 365, file = "anorexia.csv"
)

# The shipped synthetic pilot, analysed independently: the quantities `reproduce denosumab-pilot` reports.
pilot_file <- read.csv("datasets/denosumab_pilot_synthetic.csv", stringsAsFactors = FALSE)
pe <- pilot_file[pilot_file$evaluable == 1, ]
pilot <- analyse(pe)
sd2 <- function(x) c(mean = mean(x), sd = sd(x))
pilot$age <- as.list(sd2(pe$age_years))
pilot$cac_before <- as.list(sd2(pe$agatston_before))
pilot$cac_after <- as.list(sd2(pe$agatston_after))
pilot$bmd_before <- as.list(sd2(pe$bmd_before))
pilot$bmd_after <- as.list(sd2(pe$bmd_after))
pilot$bmd_pct_change_mean <- mean(100 * (pe$bmd_after - pe$bmd_before) / pe$bmd_before)
imt <- pe[!is.na(pe$imt_before) & !is.na(pe$imt_after), ]
cavi <- pe[!is.na(pe$cavi_before) & !is.na(pe$cavi_after), ]
pilot$imt_paired_t <- htest(t.test(imt$imt_after, imt$imt_before, paired = TRUE))
pilot$cavi_paired_t <- htest(t.test(cavi$cavi_after, cavi$cavi_before, paired = TRUE))
d <- pe$agatston_after - pe$agatston_before
b <- pe$agatston_before
pilot$sqrt_progression <- sum(sqrt(pe$agatston_after) - sqrt(b) >= 2.5)
pilot$sevrukov_up <- sum(d > 4.930 * sqrt(b))
pilot$sevrukov_down <- sum(d < -4.930 * sqrt(b))
mesa <- 0.17 * b + 4.89 * sqrt(b) + 0.44 * pe$bmi - 10.84
pilot$mesa_up <- sum(d > mesa)
pilot$mesa_down <- sum(d < -mesa)
pilot$log_up <- sum(log(pe$agatston_after + 1) - log(b + 1) > 0)

expected <- list(
  pilot = pilot,
  shoes_sleep = analyse(ss),
  shoes_sleep_rate20 = list(natural_rate_t = analyse(ss, 20)$natural_rate_t),
  anorexia = analyse(an)
)
writeLines(to_json(expected), file.path(out, "expected.json"))
