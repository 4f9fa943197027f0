//! Output safety through the real binary: `--out` never loses a file calcscore did not write, a previous report is
//! replaced at once or not at all (also under SIGKILL at random moments), concurrent runs never mix, temporary
//! directories of killed runs are cleaned, an output never replaces an input, and a closed stdout ends quietly.
//! The expected state in each test is the state before the run (bytes read back), or a report written in full by
//! an uninterrupted run: nothing here depends on the numbers calcscore computes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rand::RngExt;

mod common;

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/zhang2021_synthetic.csv"
);

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_calcscore"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn calcscore(args: &[&str]) -> Output {
    command(args).output().expect("run calcscore")
}

fn reproduce_args<'a>(data: &'a str, out: &'a str, seed: &'a str) -> Vec<&'a str> {
    vec![
        "reproduce",
        "zhang2021",
        "--data",
        data,
        "--out",
        out,
        "--seed",
        seed,
    ]
}

fn reproduce(data: &Path, out: &Path, seed: u64) -> Output {
    let seed = seed.to_string();
    calcscore(&reproduce_args(s(data), s(out), &seed))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_ok(o: &Output) {
    assert!(o.status.success(), "run failed: {}", stderr(o));
}

/// Exit code 2 and a message containing every word.
fn assert_refused(o: &Output, words: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "exit code; stderr: {err}");
    for w in words {
        assert!(err.contains(w), "message lacks '{w}': {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// Every file under `dir` (relative path → bytes), hidden files included.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, into);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                into.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

/// calcscore's temporary siblings in `dir` (from killed or running runs).
fn temp_dirs(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".calcscore-tmp-") || n.contains(".calcscore-old-"))
        .collect()
}

/// A directory with a copy of the shipped registry as `reg.csv`.
fn with_registry() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("reg.csv");
    std::fs::copy(SHIPPED, &reg).unwrap();
    (dir, reg)
}

#[test]
fn registry_inside_a_foreign_out_survives() {
    // The reported data loss: `--data DIR/reg.csv --out DIR` deleted the registry.
    let (dir, reg) = with_registry();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let before = snapshot(dir.path());
    let o = reproduce(&reg, dir.path(), 1);
    assert_refused(&o, &["did not write", "nothing was written", "'reg.csv'"]);
    assert_eq!(snapshot(dir.path()), before, "directory untouched");
    assert_eq!(
        std::fs::read(&reg).unwrap(),
        std::fs::read(SHIPPED).unwrap()
    );
}

#[test]
fn foreign_non_empty_directory_is_refused_and_untouched() {
    let (dir, reg) = with_registry();
    let out = dir.path().join("paper");
    std::fs::create_dir_all(out.join("figures")).unwrap();
    std::fs::write(out.join("draft.md"), "# my paper").unwrap();
    std::fs::write(out.join("figures/f1.svg"), "<svg/>").unwrap();
    let before = snapshot(dir.path());
    let o = reproduce(&reg, &out, 1);
    assert_refused(&o, &["paper", "did not write", "choose a new directory"]);
    assert_eq!(snapshot(dir.path()), before);
    assert!(temp_dirs(dir.path()).is_empty());
}

#[test]
fn out_naming_a_file_is_refused_and_nothing_renamed() {
    let (dir, reg) = with_registry();
    let out = dir.path().join("results.txt");
    std::fs::write(&out, "keep me").unwrap();
    let before = snapshot(dir.path());
    let o = reproduce(&reg, &out, 1);
    assert_refused(
        &o,
        &[
            "results.txt",
            "is an existing file",
            "nothing was written or renamed",
        ],
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn out_equal_to_data_is_refused() {
    let (dir, reg) = with_registry();
    let before = snapshot(dir.path());
    let o = reproduce(&reg, &reg, 1);
    assert_refused(&o, &["reg.csv", "is an input file"]);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn single_file_outputs_never_replace_their_input() {
    let (dir, reg) = with_registry();
    let before = snapshot(dir.path());
    let derive = calcscore(&["derive", "--data", s(&reg), "--out", s(&reg)]);
    assert_refused(&derive, &["reg.csv", "is the input"]);
    let roc = calcscore(&[
        "roc",
        "--data",
        s(&reg),
        "--marker",
        "vessel_diameter_mm",
        "--outcome",
        "cto",
        "--coords",
        s(&reg),
    ]);
    assert_refused(&roc, &["reg.csv", "is the input"]);
    let sim = calcscore(&["simulate", "zhang2021", "--out", s(dir.path())]);
    assert_refused(&sim, &["is a directory"]);
    assert_eq!(snapshot(dir.path()), before);
}

/// The map file, and a figure name that is a link to the data, are inputs too: `--coords` and `--plot` refuse
/// them before any work (they once replaced the map with coordinates and the data with an SVG), and `--plot`
/// refuses a name that is neither .svg nor .png (it once wrote SVG into x.pdf).
#[cfg(unix)]
#[test]
fn coords_and_plots_never_replace_the_data_or_the_map() {
    let (dir, reg) = with_registry();
    let map = dir.path().join("map.toml");
    std::fs::write(&map, "[columns]\nmarker = \"vessel_diameter_mm\"\n").unwrap();
    let link = dir.path().join("fig.svg");
    std::os::unix::fs::symlink(&reg, &link).unwrap();
    let before = snapshot(dir.path());
    let roc = calcscore(&[
        "roc",
        "--data",
        s(&reg),
        "--map",
        s(&map),
        "--marker",
        "marker",
        "--outcome",
        "cto",
        "--coords",
        s(&map),
    ]);
    assert_refused(&roc, &["map.toml", "is the input"]);
    let risk = [
        "--data",
        s(&reg),
        "--outcome",
        "cto",
        "--predicted",
        "vessel_diameter_mm",
    ];
    for verb in ["calibration", "decision"] {
        let args: Vec<&str> = [verb]
            .iter()
            .chain(&risk)
            .copied()
            .chain(["--plot", s(&link)])
            .collect();
        assert_refused(&calcscore(&args), &["fig.svg", "is the input"]);
        let pdf = dir.path().join("x.pdf");
        let args: Vec<&str> = [verb]
            .iter()
            .chain(&risk)
            .copied()
            .chain(["--plot", s(&pdf)])
            .collect();
        assert_refused(&calcscore(&args), &["x.pdf", ".svg or .png"]);
    }
    assert_eq!(snapshot(dir.path()), before);
}

/// `card --out DIR` into the directory `validate --plots DIR` wrote keeps validate's plots (it once replaced them:
/// both replaced "calcscore's files"), and validate's rerun keeps the card; each replaces only its own files.
#[test]
fn card_and_validate_plots_share_a_directory_without_replacing_each_other() {
    let refs = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference");
    let data = format!("{refs}/canon_validate/birthwt_val.csv");
    let stored = format!("{refs}/canon_validate/birthwt_stored.toml");
    let card_score = format!("{refs}/card/birthwt_score.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figures");
    let validate = [
        "validate",
        "--data",
        &data,
        "--score",
        &stored,
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--plots",
        s(&out),
    ];
    assert_ok(&calcscore(&validate));
    let plots = snapshot(&out);
    let plot_names = [
        "calibration_all.png",
        "calibration_all.svg",
        "decision_all.png",
        "decision_all.svg",
    ];
    for name in plot_names {
        assert!(
            plots.contains_key(name),
            "validate wrote {name}: {:?}",
            plots.keys()
        );
    }
    assert_ok(&calcscore(&[
        "card",
        "--score",
        &card_score,
        "--out",
        s(&out),
    ]));
    let both = snapshot(&out);
    for name in plot_names {
        assert_eq!(
            both.get(name),
            plots.get(name),
            "{name} kept byte for byte by card"
        );
    }
    for name in ["card.svg", "card.png", "calculator.html"] {
        assert!(both.contains_key(name), "card wrote {name}");
    }
    // validate's rerun replaces its own plots, keeps the card's files, and leaves no temporary directory.
    assert_ok(&calcscore(&validate));
    let again = snapshot(&out);
    for name in ["card.svg", "card.png", "calculator.html"] {
        assert_eq!(again.get(name), both.get(name), "{name} kept by validate");
    }
    assert_eq!(
        again.keys().collect::<Vec<_>>(),
        both.keys().collect::<Vec<_>>()
    );
    assert!(temp_dirs(dir.path()).is_empty());
    // The marker says which command wrote which file.
    let marker: serde_json::Value =
        serde_json::from_slice(&again[".calcscore-output.json"]).unwrap();
    assert_eq!(marker["producers"]["card.svg"], "card --out");
    assert_eq!(marker["producers"]["decision_all.svg"], "validate --plots");
}

#[test]
fn rerun_keeps_user_files_and_replaces_the_report() {
    let (dir, reg) = with_registry();
    let out = dir.path().join("report");
    assert_ok(&reproduce(&reg, &out, 1));
    let first = snapshot(&out);
    assert!(first.contains_key(".calcscore-output.json"));
    // The user adds files, including the registry itself and a folder, then reruns with the registry inside.
    std::fs::rename(&reg, out.join("reg.csv")).unwrap();
    std::fs::write(out.join("notes.txt"), "my notes").unwrap();
    std::fs::create_dir(out.join("mine")).unwrap();
    std::fs::write(out.join("mine/plot.R"), "plot(1)").unwrap();
    let reg = out.join("reg.csv");
    assert_ok(&reproduce(&reg, &out, 2));
    let second = snapshot(&out);
    assert_eq!(second["reg.csv"], std::fs::read(SHIPPED).unwrap());
    assert_eq!(second["notes.txt"], b"my notes");
    assert_eq!(second["mine/plot.R"], b"plot(1)");
    assert_ne!(
        second["results.json"], first["results.json"],
        "seed 2 replaced seed 1"
    );
    assert_eq!(
        first.keys().filter(|k| !second.contains_key(*k)).count(),
        0,
        "every report file rewritten"
    );
    let marker = String::from_utf8(second[".calcscore-output.json"].clone()).unwrap();
    assert!(
        !marker.contains("notes.txt") && !marker.contains("reg.csv"),
        "{marker}"
    );
    assert!(temp_dirs(dir.path()).is_empty());
}

#[test]
fn a_report_file_the_user_changed_is_not_overwritten() {
    let (dir, reg) = with_registry();
    let out = dir.path().join("report");
    assert_ok(&reproduce(&reg, &out, 1));
    std::fs::write(out.join("report.md"), "my edited report").unwrap();
    let before = snapshot(dir.path());
    let o = reproduce(&reg, &out, 2);
    assert_refused(
        &o,
        &["'report.md'", "did not write (or which was changed since)"],
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn report_verb_updates_in_place_and_keeps_results() {
    let (dir, reg) = with_registry();
    let out = dir.path().join("report");
    assert_ok(&reproduce(&reg, &out, 1));
    let first = snapshot(&out);
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    assert_ok(&calcscore(&["report", "--results", s(&out)]));
    let second = snapshot(&out);
    assert_eq!(second["notes.txt"], b"mine");
    first
        .iter()
        .for_each(|(k, v)| assert_eq!(&second[k], v, "{k} rebuilt byte-identical"));
    // Into another calcscore report: that report's own results go, so it never mixes two runs.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    for (name, bytes) in &first {
        std::fs::write(other.join(name), bytes).unwrap();
    }
    assert_ok(&calcscore(&[
        "report",
        "--results",
        s(&out),
        "--out",
        s(&other),
    ]));
    let third = snapshot(&other);
    assert!(!third.contains_key("results.json") && !third.contains_key("manifest.json"));
    assert_eq!(third["report.md"], first["report.md"]);
    // A foreign directory as --out of `report` is refused too.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("x.txt"), "x").unwrap();
    let o = calcscore(&["report", "--results", s(&out), "--out", s(&foreign)]);
    assert_refused(&o, &["foreign", "did not write"]);
}

#[test]
fn concurrent_runs_never_mix() {
    let (dir, reg) = with_registry();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_ok(&reproduce(&reg, &a, 1));
    assert_ok(&reproduce(&reg, &b, 2));
    let (want_a, want_b) = (snapshot(&a), snapshot(&b));
    assert_ne!(want_a, want_b);
    let out = dir.path().join("shared");
    for round in 0..2 {
        let spawn = |seed: &str| {
            command(&reproduce_args(s(&reg), s(&out), seed))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (p1, p2) = (spawn("1"), spawn("2"));
        for p in [p1, p2] {
            assert_ok(&p.wait_with_output().unwrap());
        }
        let got = snapshot(&out);
        assert!(
            got == want_a || got == want_b,
            "round {round}: a mixed report"
        );
    }
    assert!(temp_dirs(dir.path()).is_empty());
}

#[test]
fn stale_temporary_directories_are_cleaned_and_nothing_else() {
    let (dir, reg) = with_registry();
    let out = dir.path().join("report");
    assert_ok(&reproduce(&reg, &out, 1));
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    // What a run killed while building leaves: its marker, a half-written file, a hard link to a user file.
    let stale = dir.path().join(".report.calcscore-tmp-4000000");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(
        stale.join(".calcscore-output.json"),
        r#"{"written_by":"calcscore","format":1,"calcscore_version":"0","files":{"report.md":"00"}}"#,
    )
    .unwrap();
    std::fs::write(stale.join("report.md"), "half").unwrap();
    std::fs::hard_link(out.join("notes.txt"), stale.join("notes.txt")).unwrap();
    // A killed run's empty directory, and look-alikes that are not calcscore's (one with its name, no marker).
    std::fs::create_dir(dir.path().join(".report.calcscore-tmp-4000001")).unwrap();
    let other = dir.path().join(".report.backup");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("report.md"), "my backup").unwrap();
    let unmarked = dir.path().join(".report.calcscore-tmp-4000002");
    std::fs::create_dir(&unmarked).unwrap();
    std::fs::write(unmarked.join("notes.txt"), "not calcscore's").unwrap();
    assert_ok(&reproduce(&reg, &out, 1));
    assert_eq!(
        temp_dirs(dir.path()),
        [".report.calcscore-tmp-4000002"],
        "only the unmarked look-alike is left"
    );
    assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"mine");
    assert_eq!(
        std::fs::read(other.join("report.md")).unwrap(),
        b"my backup"
    );
    assert_eq!(
        std::fs::read(unmarked.join("notes.txt")).unwrap(),
        b"not calcscore's"
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // `calcscore simulate zhang2021 --lesions 20000 | head -c 100`: the reader goes away after 100 bytes.
    use std::io::Read;
    let mut child: Child = command(&["simulate", "zhang2021", "--lesions", "20000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert!(head.starts_with(b"patient_id") || head.contains(&b','));
    assert_ne!(o.status.code(), Some(101), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert!(
            o.status.success() || o.status.signal() == Some(13),
            "ended by SIGPIPE or with 0: {:?}",
            o.status
        );
    }
}

/// The issue's kill test: `reproduce` SIGKILLed `kills` times at seeded random moments, alternating between two
/// option sets (`a`, `b`) whose reports differ. Half the kills fall anywhere within one run's duration, half within
/// 10 ms after the run starts writing (its temporary directory appears), where a kill can do harm. After every kill the report directory is one
/// complete report, byte for byte: the previous one, or the killed run's own if it had already swapped it in. At
/// most one temporary directory exists after a kill (the next run cleans it), and none after a run that completes.
fn kill_test(study: &str, a: &[&str], b: &[&str], kills: usize) {
    let (dir, reg) = with_registry();
    let tmpdir = dir.path().join("tmp");
    std::fs::create_dir_all(&tmpdir).unwrap();
    let run = |out: &Path, opts: &[&str]| {
        let mut args = vec!["reproduce", study, "--out", s(out)];
        if study == "zhang2021" {
            args.extend(["--data", s(&reg)]);
        }
        args.extend_from_slice(opts);
        // A killed run cannot remove the built-in dataset it extracted: keep those in the test's directory.
        command(&args)
            .env("TMPDIR", &tmpdir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let complete = |out: &Path, opts: &[&str]| assert!(run(out, opts).wait().unwrap().success());
    let opts = [a, b];
    let started = Instant::now();
    complete(&dir.path().join("ref_a"), a);
    let run_ms = started.elapsed().as_millis() as u64;
    complete(&dir.path().join("ref_b"), b);
    let want = [
        snapshot(&dir.path().join("ref_a")),
        snapshot(&dir.path().join("ref_b")),
    ];
    assert_ne!(want[0], want[1]);
    let out = dir.path().join("report");
    complete(&out, a);
    let mut current = 0;
    assert_eq!(snapshot(&out), want[current]);
    let mut rng = calcscore_core::random::seeded(12);
    let (mut completed, mut with_temp) = (0, 0);
    let max_ms = (run_ms * 11 / 10).max(50);
    let started = Instant::now();
    for i in 0..kills {
        let next = 1 - current;
        let mut child = run(&out, opts[next]);
        if i % 2 == 0 {
            std::thread::sleep(Duration::from_millis(rng.random_range(0..max_ms)));
        } else {
            // Aim at the write: wait until the run's temporary directory appears, then 0-9 ms more.
            let tmp = dir
                .path()
                .join(format!(".report.calcscore-tmp-{}", child.id()));
            while !tmp.exists() && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(Duration::from_millis(rng.random_range(0..10)));
        }
        let _ = child.kill();
        child.wait().unwrap();
        let got = snapshot(&out);
        if got == want[next] {
            completed += 1;
            current = next;
        } else {
            let differ: Vec<&String> = got
                .keys()
                .chain(want[current].keys())
                .filter(|k| got.get(*k) != want[current].get(*k))
                .collect();
            assert!(
                differ.is_empty(),
                "kill {i}: the report is neither the previous nor the new one; differs in {differ:?}"
            );
        }
        let temps = temp_dirs(dir.path());
        assert!(
            temps.len() <= 1,
            "kill {i}: {temps:?} (a next run cleans a killed run's directory)"
        );
        with_temp += temps.len();
    }
    eprintln!(
        "kill test {study}: {kills} kills within 0..{max_ms} ms (one run: {run_ms} ms) in {:.1} s: {completed} runs had \
         swapped their report in, {} left the previous one; {with_temp} kills left a temporary directory",
        started.elapsed().as_secs_f64(),
        kills - completed
    );
    assert!(completed < kills, "no kill interrupted a run");
    assert!(with_temp > 0, "no kill landed while a run was writing");
    complete(&out, opts[1 - current]);
    assert_eq!(snapshot(&out), want[1 - current]);
    assert!(
        temp_dirs(dir.path()).is_empty(),
        "{:?}",
        temp_dirs(dir.path())
    );
    assert_eq!(
        std::fs::read(&reg).unwrap(),
        std::fs::read(SHIPPED).unwrap()
    );
}

/// 100 kills of `reproduce denosumab-pilot` (a full debug run takes about 0.4 s of CPU): part of `cargo test`.
#[test]
fn kill_test_denosumab_pilot() {
    kill_test(
        "denosumab-pilot",
        &["--conf-level", "0.95"],
        &["--conf-level", "0.9"],
        100,
    );
}

/// 100 kills of `reproduce zhang2021` on the shipped registry (a debug run takes about 4 s of CPU, so this takes
/// minutes): `cargo test --test cli_output_safety -- --ignored`.
#[test]
#[ignore = "minutes in a debug build; run with --ignored"]
fn kill_test_zhang2021() {
    kill_test("zhang2021", &["--seed", "1"], &["--seed", "2"], 100);
}

/// `derive --out`, `simulate --out` and `roc --coords` name one file, replaced only when calcscore wrote it there as
/// the same command's output and it is unchanged since (its SHA-256 is the one in `.calcscore-output.json` beside it).
/// A file that merely looks like such an output is refused and left as it was: a hand-written score, a registry in
/// the lesion schema, a CSV with the coordinates' header (all three were once replaced because the "kind" matched).
#[test]
fn single_file_outputs_replace_only_calcscores_unchanged_output() {
    let dir = tempfile::tempdir().unwrap();
    let keep = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let notes = keep("notes.txt", "precious user notes\n");
    let hand = keep(
        "handmade.toml",
        &format!(
            "# my hand-tuned score\n{}",
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/reference/card/birthwt_score.toml"
            ))
            .unwrap()
        ),
    );
    // A registry in the lesion schema (the header simulate writes) with a patient of the user's.
    let shipped = std::fs::read_to_string(SHIPPED).unwrap();
    let rows: Vec<&str> = shipped.lines().take(3).collect();
    let mine = rows[2].replacen(rows[2].split(',').next().unwrap(), "REALPATIENT", 1);
    let registry = keep(
        "myregistry.csv",
        &format!("{}\n{}\n{mine}\n", rows[0], rows[1]),
    );
    let cuts = keep(
        "mycuts.csv",
        "threshold,sensitivity,specificity\n100,0.9,0.3\n",
    );
    let before = snapshot(dir.path());
    let derive = |out: &Path| common::derive_birthwt(&["--out", s(out)]);
    for p in [&notes, &hand] {
        assert_refused(
            &derive(p),
            &[s(p), "not an earlier output", "choose another file name"],
        );
    }
    for study in ["zhang2021", "denosumab-pilot"] {
        let o = calcscore(&["simulate", study, "--out", s(&registry)]);
        assert_refused(&o, &["myregistry.csv", "not an earlier output"]);
    }
    let o = calcscore(&[
        "simulate",
        "zhang2021",
        "--format",
        "parquet",
        "--out",
        s(&registry),
    ]);
    assert_refused(&o, &["myregistry.csv", "not an earlier output"]);
    let roc = |out: &Path| {
        calcscore(&[
            "roc",
            "--data",
            common::BIRTHWT,
            "--marker",
            "lwt",
            "--outcome",
            "low",
            "--coords",
            s(out),
        ])
    };
    assert_refused(&roc(&cuts), &["mycuts.csv", "not an earlier output"]);
    assert_eq!(
        snapshot(dir.path()),
        before,
        "a refused run changed nothing"
    );

    // calcscore's own output, unchanged: a re-run replaces it; edited by the user: refused.
    let score = dir.path().join("score.toml");
    assert_ok(&derive(&score));
    let first = std::fs::read(&score).unwrap();
    assert_ok(&derive(&score));
    assert_eq!(std::fs::read(&score).unwrap(), first);
    let coords = dir.path().join("coords.csv");
    assert_ok(&roc(&coords));
    assert_ok(&roc(&coords));
    let sim = dir.path().join("sim.csv");
    let simulate = || {
        calcscore(&[
            "simulate",
            "zhang2021",
            "--lesions",
            "100",
            "--out",
            s(&sim),
        ])
    };
    assert_ok(&simulate());
    assert_ok(&simulate());
    // Another command's output is not replaced either.
    assert_refused(&roc(&score), &["written by calcscore derive --out"]);
    let mut edited = first.clone();
    edited.extend_from_slice(b"# my note\n");
    std::fs::write(&score, &edited).unwrap();
    assert_refused(&derive(&score), &["score.toml", "changed since"]);
    assert_eq!(std::fs::read(&score).unwrap(), edited);
    // The marker lists calcscore's files only, and the directory (a user's) is still not an output directory.
    let marker = common::read_json(dir.path().join(".calcscore-output.json"));
    let listed: Vec<&str> = marker["files"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(listed, ["coords.csv", "score.toml", "sim.csv"]);
    let o = calcscore(&["reproduce", "zhang2021", "--out", s(dir.path())]);
    assert_refused(&o, &["non-empty directory"]);
    for p in [&notes, &hand, &registry, &cuts] {
        assert_eq!(
            &std::fs::read(p).unwrap(),
            &before[p.file_name().unwrap().to_str().unwrap()]
        );
    }
}
