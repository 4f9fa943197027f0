//! `derive --validate-bootstrap B`: the whole-procedure bootstrap of a derivation, its table in
//! `rms::validate`'s layout, and a progress bar on a terminal.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::Result;
use calcscore_data::Table;
use calcscore_score::derive::{Candidates, Derivation, DeriveOptions};
use calcscore_score::optimism::{whole_procedure, BootOptions, WholeValidation};

/// Run the bootstrap with a progress bar on stderr when it is a terminal and the run lasts over a second.
pub fn run(
    table: &Table,
    cands: &Candidates,
    opts: &DeriveOptions,
    boot: &BootOptions,
) -> Result<WholeValidation> {
    let bar = Bar::new(boot.replicates);
    let v = whole_procedure(table, cands, opts, boot, &|k| bar.tick(k));
    bar.finish();
    v
}

/// A bar that stays hidden unless stderr is a terminal, and appears only after a second.
struct Bar {
    bar: ProgressBar,
    terminal: bool,
    start: Instant,
    shown: Mutex<bool>,
}

impl Bar {
    fn new(total: usize) -> Bar {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "bootstrap {bar:40} {pos}/{len} replicates, {elapsed} elapsed, about {eta} left",
        ) {
            bar.set_style(style);
        }
        Bar {
            bar,
            terminal: std::io::stderr().is_terminal(),
            start: Instant::now(),
            shown: Mutex::new(false),
        }
    }

    fn tick(&self, done: usize) {
        if !self.terminal {
            return;
        }
        if self.start.elapsed() > Duration::from_secs(1) {
            if let Ok(mut shown) = self.shown.lock() {
                if !*shown {
                    self.bar.set_draw_target(ProgressDrawTarget::stderr());
                    *shown = true;
                }
            }
        }
        self.bar.set_position(done as u64);
    }

    fn finish(&self) {
        if self.shown.lock().is_ok_and(|s| *s) {
            self.bar.finish_and_clear();
        }
    }
}

/// The table as text, with what was repeated and the points check against `derive`'s score.
pub fn text(v: &WholeValidation, d: &Derivation) -> String {
    let mut s = format!(
        "\nInternal validation of the whole derivation (bootstrap, {} replicates, seed {}, resampling by {}: {} units, {} rows in {} covariate patterns):\n",
        v.replicates, v.seed, v.unit, v.n_units, v.n_rows, v.n_patterns
    );
    s.push_str("Each replicate repeated: ");
    s.push_str(&v.steps.join("; "));
    s.push_str(".\n");
    s.push_str(&format!(
        "{:<12} {:>10} {:>10} {:>10} {:>10} {:>15} {:>6}\n",
        "", "index.orig", "training", "test", "optimism", "index.corrected", "n"
    ));
    for r in &v.table {
        s.push_str(&format!(
            "{:<12} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>15.4} {:>6}\n",
            r.index, r.index_orig, r.training, r.test, r.optimism, r.index_corrected, r.n
        ));
    }
    s.push_str(&format!(
        "Uniform shrinkage factor (mean calibration slope of the replicates' risk models on the original rows): {:.4}\n",
        v.shrinkage
    ));
    s.push_str("Dxy and C are of the score; Intercept and Slope recalibrate the risk model's log-odds (glm(y ~ lp)), CITL is the intercept of glm(y ~ offset(lp)); Sensitivity and Specificity are at the cutoff each replicate chose.\n");
    let se: Option<Vec<f64>> = v.table.iter().map(|r| r.optimism_se).collect();
    s.push_str(&match se {
        Some(se) => format!(
            "Monte Carlo standard error of the optimism: at most {:.4} (per index in the JSON).\n",
            se.iter().copied().fold(0.0, f64::max)
        ),
        None => "Monte Carlo standard error of the optimism: not estimable from fewer than 2 replicates that could be derived.\n".into(),
    });
    if v.failed > 0 {
        s.push_str(&format!(
            "{} of {} replicates could not be derived (e.g. an item constant or separated in the resample) and are left out of the means.\n",
            v.failed, v.replicates
        ));
    }
    let derived: Vec<f64> = d.score.items.iter().map(|i| i.points as f64).collect();
    if matches!(v.points, calcscore_score::optimism::PointsRule::Rounded)
        && derived != v.apparent_points
    {
        s.push_str(&format!(
            "NOTE: the bootstrap engine's points on all rows ({:?}) differ from derive's ({:?}); the apparent column is the engine's\n",
            v.apparent_points, derived
        ));
    }
    s
}
