//! A synthetic lesion registry calibrated to the published summaries of Zhang 2021.
//!
//! Patient-level data of the study are not public. This generator builds a registry whose flow
//! reproduces Figure 1 exactly and whose cohorts follow a stated model (see `datasets/README.md`).
//! Every number that comes out of it is synthetic.

use calcscore_core::random::{self, ChaCha8Rng};
use rand::RngExt;
use rand_distr::{Distribution, Exp, Normal};

use calcscore_data::schema::LESION_SCHEMA;

/// The default seed of the shipped dataset `datasets/zhang2021_synthetic.csv`.
pub const DEFAULT_SEED: u64 = 4;

/// Lesion counts of each flow category (Figure 1 of the paper at the default size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FlowCounts {
    /// Angiographic calcium, no atherectomy: the A/B pool.
    pub pool_ab: usize,
    /// Atherectomy cohort C.
    pub atherectomy: usize,
    /// No angiographic calcium, cohort D.
    pub no_angio: usize,
    /// Angle ≤270° with analysable IVUS.
    pub angle_le_270: usize,
    /// Angle ≤270° and no analysable pullback (the overlap of the two first exclusions).
    pub angle_and_no_ivus: usize,
    /// Angle >270° but no analysable pullback.
    pub no_ivus: usize,
    /// Cutting or scoring balloon.
    pub cutting: usize,
    /// Atherectomy without angiographic calcium.
    pub athero_no_angio: usize,
    /// Patients with two studied lesions.
    pub studied_pairs: usize,
    /// Patients with two non-studied lesions.
    pub other_pairs: usize,
}

impl FlowCounts {
    /// The paper's counts: 3862 lesions in 3415 patients, 328 lesions in 308 patients studied.
    pub(crate) const PAPER: FlowCounts = FlowCounts {
        pool_ab: 194,
        atherectomy: 67,
        no_angio: 67,
        angle_le_270: 3016,
        angle_and_no_ivus: 20,
        no_ivus: 446,
        cutting: 48,
        athero_no_angio: 4,
        studied_pairs: 20,
        other_pairs: 427,
    };

    /// Total lesions.
    pub fn total(&self) -> usize {
        self.pool_ab
            + self.atherectomy
            + self.no_angio
            + self.angle_le_270
            + self.angle_and_no_ivus
            + self.no_ivus
            + self.cutting
            + self.athero_no_angio
    }

    /// The paper's proportions scaled to `n` lesions (the ≤270° category takes the rounding remainder).
    pub fn scaled(n: usize) -> FlowCounts {
        let p = Self::PAPER;
        if n == p.total() {
            return p;
        }
        let f = n as f64 / p.total() as f64;
        let s = |k: usize| ((k as f64 * f).round() as usize).max(1);
        let mut c = FlowCounts {
            pool_ab: s(p.pool_ab).max(2),
            atherectomy: s(p.atherectomy),
            no_angio: s(p.no_angio),
            angle_le_270: 0,
            angle_and_no_ivus: s(p.angle_and_no_ivus),
            no_ivus: s(p.no_ivus),
            cutting: s(p.cutting),
            athero_no_angio: s(p.athero_no_angio),
            studied_pairs: (p.studied_pairs as f64 * f).round() as usize,
            other_pairs: (p.other_pairs as f64 * f).round() as usize,
        };
        c.angle_le_270 = n.saturating_sub(c.total());
        c
    }
}

/// Per-cohort parameters of the generative model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CohortModel {
    /// P(length of >270° calcium > 5 mm).
    pub p_long: f64,
    /// P(360° calcium).
    pub p_360: f64,
    /// P(calcified nodule).
    pub p_nodule: f64,
    /// P(vessel diameter < 3.5 mm).
    pub p_small: f64,
    /// Mean stent expansion (%) at score 0.
    pub intercept: f64,
    /// Change in mean expansion per score point (%).
    pub slope: f64,
    /// Extra change in mean expansion (%) from score 2 on (the step that makes ≥2 the cutoff).
    pub bend: f64,
    /// Lesion-level residual SD (%).
    pub sd: f64,
    /// P(calcium fracture after PCI).
    pub p_fracture: f64,
}

/// A/B pool: slope near the published −8.1 %/point, intercept set so NPV at ≥2 is near 0.94.
pub(crate) const MODEL_AB: CohortModel = CohortModel {
    p_long: 0.55,
    p_360: 0.35,
    p_nodule: 0.32,
    p_small: 0.60,
    intercept: 96.0,
    slope: -6.0,
    bend: -7.0,
    sd: 10.5,
    p_fracture: 0.515,
};
/// C (atherectomy): similar calcium, flatter slope near the published −4.8 %/point.
pub(crate) const MODEL_C: CohortModel = CohortModel {
    p_long: 0.60,
    p_360: 0.40,
    p_nodule: 0.32,
    p_small: 0.60,
    intercept: 90.0,
    slope: -4.8,
    bend: 0.0,
    sd: 7.5,
    p_fracture: 50.0 / 67.0,
};
/// D (no angiographic calcium): milder calcium, good expansion whatever the score, no score 4.
pub(crate) const MODEL_D: CohortModel = CohortModel {
    p_long: 0.30,
    p_360: 0.15,
    p_nodule: 0.20,
    p_small: 0.50,
    intercept: 95.0,
    slope: -2.0,
    bend: 0.0,
    sd: 8.0,
    p_fracture: 0.30,
};
/// SD of the patient random effect on expansion (%).
pub(crate) const PATIENT_SD: f64 = 3.0;
/// Lesions with analysable IVUS after preparation (published 121), of which with fracture (63).
pub const PREP_IVUS: (usize, usize) = (121, 63);

#[derive(Clone, Copy, PartialEq)]
enum Category {
    PoolAb,
    Atherectomy,
    NoAngio,
    AngleLe270,
    AngleAndNoIvus,
    NoIvus,
    Cutting,
    AtheroNoAngio,
}

/// One generated row: values in LESION_SCHEMA order (empty string = missing).
type Row = Vec<String>;

/// Generate the registry as CSV text (header + one row per lesion), deterministic in `seed`.
pub fn simulate_csv(seed: u64, n_lesions: usize) -> String {
    let header: Vec<&str> = LESION_SCHEMA.iter().map(|c| c.name).collect();
    let mut out = header.join(",") + "\n";
    for r in simulate_rows(seed, n_lesions) {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out
}

/// The registry's rows (values in LESION_SCHEMA order as CSV text, empty = missing), deterministic in `seed`.
pub(crate) fn simulate_rows(seed: u64, n_lesions: usize) -> Vec<Vec<String>> {
    let mut rng = random::seeded(seed);
    let counts = FlowCounts::scaled(n_lesions);
    let mut cats = categories(&counts);
    random::shuffle(&mut rng, &mut cats);
    let patients = patient_ids(&cats, &counts, &mut rng);
    let mut rows: Vec<Row> = cats
        .iter()
        .enumerate()
        .map(|(i, &c)| lesion_row(c, &format!("L{:06}", i + 1), &patients[i], &mut rng))
        .collect();
    force_d_underexpansion(&cats, &mut rows, &mut rng);
    force_fracture_count(
        &cats,
        &mut rows,
        Category::Atherectomy,
        50 * counts.atherectomy / 67,
        &mut rng,
    );
    assign_prep_ivus(&cats, &mut rows, &counts, &mut rng);
    rows
}

fn categories(c: &FlowCounts) -> Vec<Category> {
    use Category::*;
    [
        (PoolAb, c.pool_ab),
        (Atherectomy, c.atherectomy),
        (NoAngio, c.no_angio),
        (AngleLe270, c.angle_le_270),
        (AngleAndNoIvus, c.angle_and_no_ivus),
        (NoIvus, c.no_ivus),
        (Cutting, c.cutting),
        (AtheroNoAngio, c.athero_no_angio),
    ]
    .iter()
    .flat_map(|&(cat, n)| std::iter::repeat_n(cat, n))
    .collect()
}

fn studied(c: Category) -> bool {
    matches!(
        c,
        Category::PoolAb | Category::Atherectomy | Category::NoAngio
    )
}

/// Patient ids: studied lesions share patients only with studied lesions (pairs as published).
fn patient_ids(cats: &[Category], counts: &FlowCounts, rng: &mut ChaCha8Rng) -> Vec<String> {
    let mut ids = vec![String::new(); cats.len()];
    let mut next = 0usize;
    for (want_studied, pairs) in [(true, counts.studied_pairs), (false, counts.other_pairs)] {
        let mut idx: Vec<usize> = (0..cats.len())
            .filter(|&i| studied(cats[i]) == want_studied)
            .collect();
        random::shuffle(rng, &mut idx);
        let mut k = 0;
        while k < idx.len() {
            next += 1;
            let take = if k < 2 * pairs && k + 1 < idx.len() {
                2
            } else {
                1
            };
            for &i in &idx[k..k + take] {
                ids[i] = format!("P{next:05}");
            }
            k += take;
        }
    }
    ids
}

fn bern(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.random_bool(p.clamp(0.0, 1.0))
}

fn b(x: bool) -> String {
    if x { "1" } else { "0" }.to_string()
}

fn model_of(c: Category) -> CohortModel {
    match c {
        Category::Atherectomy => MODEL_C,
        Category::NoAngio => MODEL_D,
        _ => MODEL_AB,
    }
}

/// The IVUS items of a lesion with calcium >270°: (length >270° mm, 360°, nodule, diameter mm, angle).
fn severe_items(
    m: &CohortModel,
    no_four: bool,
    rng: &mut ChaCha8Rng,
) -> (f64, bool, bool, f64, f64) {
    loop {
        let long = bern(rng, m.p_long);
        let c360 = bern(rng, m.p_360);
        let nodule = bern(rng, m.p_nodule);
        let small = bern(rng, m.p_small);
        if no_four && long && c360 && nodule && small {
            continue;
        }
        let length = if long {
            round1(5.1 + Exp::new(0.25).unwrap().sample(rng))
        } else {
            round1(random::closed(rng, 0.5, 5.0))
        };
        let diameter = if small {
            round2(rng.random_range(2.5..3.49))
        } else {
            round2(rng.random_range(3.5..4.8))
        };
        let angle = if c360 {
            360.0
        } else {
            f64::from(random::between_i32(rng, 271, 359))
        };
        return (length, c360, nodule, diameter, angle);
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Reference lumen areas and the stent area giving `expansion` % by the mean-reference formula.
fn areas(expansion: f64, rng: &mut ChaCha8Rng) -> (f64, f64, f64) {
    let prox = round2(
        Normal::new(8.0_f64, 1.5)
            .unwrap()
            .sample(rng)
            .clamp(4.0, 14.0),
    );
    let dist = round2(
        Normal::new(6.5_f64, 1.2)
            .unwrap()
            .sample(rng)
            .clamp(3.0, 12.0),
    );
    let stent = round2(expansion / 100.0 * (prox + dist) / 2.0).max(0.5);
    (stent, prox, dist)
}

fn expansion_of(row: &Row) -> f64 {
    let v = |name: &str| -> f64 {
        let j = LESION_SCHEMA.iter().position(|c| c.name == name).unwrap();
        row[j].parse().unwrap_or(f64::NAN)
    };
    v("stent_area_mm2")
        / ((v("ref_lumen_area_proximal_mm2") + v("ref_lumen_area_distal_mm2")) / 2.0)
        * 100.0
}

fn set(row: &mut Row, name: &str, value: String) {
    let j = LESION_SCHEMA
        .iter()
        .position(|c| c.name == name)
        .expect("schema column");
    row[j] = value;
}

fn fmt(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}")
}

/// Generate one lesion of a category.
fn lesion_row(cat: Category, lesion_id: &str, patient_id: &str, rng: &mut ChaCha8Rng) -> Row {
    let mut row: Row = vec![String::new(); LESION_SCHEMA.len()];
    set(&mut row, "patient_id", patient_id.into());
    set(&mut row, "lesion_id", lesion_id.into());
    set(&mut row, "cto", b(false));
    set(&mut row, "isr", b(false));
    let severe = !matches!(cat, Category::AngleLe270 | Category::AngleAndNoIvus);
    let post = set_procedure(&mut row, cat, severe, rng);
    let m = model_of(cat);
    let items = set_calcium(&mut row, cat, severe, &m, rng);
    if post {
        set_outcome(&mut row, &m, items, patient_id, rng);
    }
    if studied(cat) {
        set(&mut row, "prep_ivus", b(false));
        set(&mut row, "prep_fracture", b(false));
    }
    row
}

/// IVUS availability, angiographic calcium, atherectomy and balloon of a lesion; returns whether post-PCI IVUS exists.
fn set_procedure(row: &mut Row, cat: Category, severe: bool, rng: &mut ChaCha8Rng) -> bool {
    let ivus_ok = !matches!(cat, Category::AngleAndNoIvus | Category::NoIvus);
    let (pre, post) = if ivus_ok {
        (true, true)
    } else {
        [(false, true), (true, false), (false, false)][random::index(rng, 3)]
    };
    set(row, "pre_ivus", b(pre));
    set(row, "post_ivus", b(post));
    let angio = match cat {
        Category::PoolAb | Category::Atherectomy => true,
        Category::NoAngio | Category::AtheroNoAngio => false,
        _ => bern(rng, if severe { 0.7 } else { 0.25 }),
    };
    set(row, "angio_calcium", b(angio));
    let athero = match cat {
        Category::Atherectomy => {
            if bern(rng, 55.0 / 67.0) {
                "rotational"
            } else {
                "orbital"
            }
        }
        Category::AtheroNoAngio => "rotational",
        Category::PoolAb | Category::NoAngio | Category::Cutting => "none",
        _ => {
            if angio && bern(rng, 0.05) {
                "rotational"
            } else {
                "none"
            }
        }
    };
    set(row, "atherectomy", athero.into());
    set(row, "cutting_scoring_balloon", b(cat == Category::Cutting));
    post
}

/// The score items and calcium measurements of a lesion; returns the items (270° length, 360°, nodule, diameter).
fn set_calcium(
    row: &mut Row,
    cat: Category,
    severe: bool,
    m: &CohortModel,
    rng: &mut ChaCha8Rng,
) -> (f64, bool, bool, f64) {
    let (length, c360, nodule, diameter, angle) = if severe {
        severe_items(m, cat == Category::NoAngio, rng)
    } else {
        let angle = f64::from(random::between_i32(rng, 0, 270));
        (
            0.0,
            false,
            bern(rng, 0.08),
            round2(rng.random_range(2.4..4.8)),
            angle,
        )
    };
    set(row, "max_calcium_angle_deg", fmt(angle, 0));
    set(row, "calcium_270_length_mm", fmt(length, 1));
    set(row, "calcium_360", b(c360));
    set(row, "calcified_nodule", b(nodule));
    set(row, "vessel_diameter_mm", fmt(diameter, 2));
    let thickness = round2(if angle > 0.0 {
        rng.random_range(0.2..1.4)
    } else {
        0.0
    });
    set(row, "calcium_thickness_mm", fmt(thickness, 2));
    let total_length = if angle > 0.0 {
        round1(length + rng.random_range(2.0..20.0))
    } else {
        0.0
    };
    set(row, "calcium_length_mm", fmt(total_length, 1));
    (length, c360, nodule, diameter)
}

/// Stent expansion from the cohort model of the score, the reference areas and fracture after PCI.
fn set_outcome(
    row: &mut Row,
    m: &CohortModel,
    (length, c360, nodule, diameter): (f64, bool, bool, f64),
    patient_id: &str,
    rng: &mut ChaCha8Rng,
) {
    let score = [length > 5.0, c360, nodule, diameter < 3.5]
        .iter()
        .filter(|&&x| x)
        .count() as f64;
    let patient_effect = patient_effect(patient_id);
    let eps = Normal::new(0.0, m.sd).unwrap().sample(rng);
    let bend = if score >= 2.0 { m.bend } else { 0.0 };
    let expansion =
        (m.intercept + m.slope * score + bend + patient_effect + eps).clamp(35.0, 140.0);
    let (stent, prox, dist) = areas(expansion, rng);
    set(row, "stent_area_mm2", fmt(stent, 2));
    set(row, "ref_lumen_area_proximal_mm2", fmt(prox, 2));
    set(row, "ref_lumen_area_distal_mm2", fmt(dist, 2));
    set(row, "calcium_fracture", b(bern(rng, m.p_fracture)));
}

/// A patient's random effect, the same for all its lesions (derived from the id so pairs share it).
fn patient_effect(patient_id: &str) -> f64 {
    let h = patient_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
        (h ^ c as u64).wrapping_mul(0x100_0000_01b3)
    });
    let mut prng = random::seeded(h);
    Normal::new(0.0, PATIENT_SD).unwrap().sample(&mut prng)
}

/// Cohort D: exactly one lesion below 70 % at the paper's size (1 of 67), by redrawing areas.
fn force_d_underexpansion(cats: &[Category], rows: &mut [Row], rng: &mut ChaCha8Rng) {
    let d: Vec<usize> = (0..cats.len())
        .filter(|&i| cats[i] == Category::NoAngio)
        .collect();
    let n_under = (d.len() as f64 * 1.0 / 67.0).round().max(1.0) as usize;
    for (k, &i) in d.iter().enumerate() {
        let want_under = k < n_under;
        while (expansion_of(&rows[i]) < 70.0) != want_under {
            let target = if want_under {
                rng.random_range(60.0..69.5)
            } else {
                rng.random_range(70.5..115.0)
            };
            let (stent, prox, dist) = areas(target, rng);
            set(&mut rows[i], "stent_area_mm2", fmt(stent, 2));
            set(&mut rows[i], "ref_lumen_area_proximal_mm2", fmt(prox, 2));
            set(&mut rows[i], "ref_lumen_area_distal_mm2", fmt(dist, 2));
        }
    }
}

/// Exactly `k` lesions of a category with calcium fracture (random which).
fn force_fracture_count(
    cats: &[Category],
    rows: &mut [Row],
    cat: Category,
    k: usize,
    rng: &mut ChaCha8Rng,
) {
    let mut idx: Vec<usize> = (0..cats.len()).filter(|&i| cats[i] == cat).collect();
    random::shuffle(rng, &mut idx);
    for (n, &i) in idx.iter().enumerate() {
        set(&mut rows[i], "calcium_fracture", b(n < k));
    }
}

/// Pre-stent IVUS after preparation in 121 studied lesions, fracture in 63 of them, favouring well-expanded lesions.
fn assign_prep_ivus(
    cats: &[Category],
    rows: &mut [Row],
    counts: &FlowCounts,
    rng: &mut ChaCha8Rng,
) {
    let f = counts.total() as f64 / FlowCounts::PAPER.total() as f64;
    let (n_prep, n_frac) = (
        (PREP_IVUS.0 as f64 * f).round() as usize,
        (PREP_IVUS.1 as f64 * f).round() as usize,
    );
    let mut idx: Vec<usize> = (0..cats.len()).filter(|&i| studied(cats[i])).collect();
    random::shuffle(rng, &mut idx);
    idx.truncate(n_prep);
    let noise = Normal::new(0.0, 18.0).unwrap();
    let mut keyed: Vec<(f64, usize)> = idx
        .iter()
        .map(|&i| (expansion_of(&rows[i]) + noise.sample(rng), i))
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (n, &(_, i)) in keyed.iter().enumerate() {
        set(&mut rows[i], "prep_ivus", b(true));
        set(&mut rows[i], "prep_fracture", b(n < n_frac));
    }
}
