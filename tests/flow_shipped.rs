//! The shipped synthetic registry reproduces Figure 1's flow exactly, and every lesion is accounted for.

use calcscore_data::cohort::{apply_rules, assign_cohorts, zhang2021_rules, Cohort, SplitUnit};
use calcscore_data::{load_registry, ExpansionFormula};

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/zhang2021_synthetic.csv"
);

#[test]
fn shipped_registry_reproduces_figure_1() {
    let reg = load_registry(SHIPPED.as_ref(), None, ExpansionFormula::MeanReference).unwrap();
    let flow = apply_rules(&reg.lesions, &zhang2021_rules()).unwrap();
    assert_eq!(flow.n_input, 3862);
    let s1 = &flow.stages[0];
    let meeting = |rule: &str| s1.rules.iter().find(|r| r.rule == rule).unwrap().n_meeting;
    // Figure 1: 3036 with angle <= 270, 466 without pullback, overlapping by 20 -> 380 remain.
    assert_eq!(meeting("max-angle-le-270"), 3036);
    assert_eq!(meeting("no-ivus-pullback"), 466);
    assert_eq!(s1.n_overlap, 20);
    assert_eq!(s1.n_out, 380);
    assert_eq!(flow.stages[1].rules[0].n_meeting, 48);
    assert_eq!(flow.stages[2].rules[0].n_meeting, 4);
    assert_eq!(flow.included.len(), 328);
    assert!(flow.reconciles());
    assert_eq!(flow.included.len() + flow.exclusions.len(), 3862);
    let mut patients: Vec<&str> = (0..reg.lesions.len()).map(|i| reg.patient_id(i)).collect();
    patients.sort_unstable();
    patients.dedup();
    assert_eq!(patients.len(), 3415);
    let cohorts = assign_cohorts(&reg, &flow.included, SplitUnit::Lesion, 1).unwrap();
    let n = |c: Cohort| cohorts.iter().filter(|(_, k)| *k == c).count();
    assert_eq!(
        [
            n(Cohort::Derivation),
            n(Cohort::Validation),
            n(Cohort::Atherectomy),
            n(Cohort::NoAngioCalcium)
        ],
        [97, 97, 67, 67]
    );
    let mut studied: Vec<&str> = flow.included.iter().map(|&i| reg.patient_id(i)).collect();
    studied.sort_unstable();
    studied.dedup();
    assert_eq!(studied.len(), 308);
}
