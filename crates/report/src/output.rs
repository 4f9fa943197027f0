//! Output safety: an output directory only ever loses files calcscore itself wrote there.
//!
//! Every report directory carries a marker, `.calcscore-output.json`, listing each file calcscore wrote with its
//! SHA-256. A write (1) refuses an existing file and a non-empty directory that is not calcscore's (no marker, no
//! calcscore `manifest.json` of an older version); (2) locks the parent directory, so two runs on the same output
//! wait for each other (Unix); (3) removes what killed runs left (sibling `.NAME.calcscore-tmp-PID` directories), deleting
//! only calcscore's files and copies of files still in the report; (4) builds the new report in such a sibling,
//! hard-linking (or copying) every file that is not calcscore's; (5) swaps the two directories in one step
//! (`renameat2(RENAME_EXCHANGE)` on Linux) and discards the old one the same careful way as in (3).
//!
//! The marker also records which command wrote each file ([`Producer`]): a write replaces and drops only its own
//! command's files, keeps every other command's (`card --out DIR` beside `validate --plots DIR`), and refuses a
//! name another command's file holds. A file of a calcscore that did not record its producer is kept unless the
//! new files rewrite it.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::OutputFile;
use crate::{Error, Result};

/// The marker file in every output directory calcscore writes.
pub const MARKER: &str = ".calcscore-output.json";
const MARKER_PART: &str = ".calcscore-output.json.part";
const FORMAT: u32 = 1;
const TMP: &str = "calcscore-tmp";
const OLD: &str = "calcscore-old";

/// What a write does with calcscore's files of the previous report that it does not rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The new files are the whole report; calcscore's other files go (`reproduce`).
    Replace,
    /// The new files update the report; calcscore's other files stay (`report` in place).
    Update,
}

/// The command whose outputs a write is: it replaces its own earlier files, never another command's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Producer {
    /// `reproduce` and `report` (one study report: `report` rebuilds what `reproduce` wrote).
    StudyReport,
    /// `validate --plots`.
    ValidatePlots,
    /// `--impute-plots` of `derive`, `validate` and `impute`.
    ImputePlots,
    /// `card --out`.
    Card,
    /// `agatston --out`.
    Agatston,
    /// `derive --out FILE` (also with `--impute`): one score file.
    Derive,
    /// `simulate --out FILE`: one simulated table.
    Simulate,
    /// `roc --coords FILE`.
    RocCoords,
    /// `calibration --plot FILE`.
    CalibrationPlot,
    /// `decision --plot FILE`.
    DecisionPlot,
}

impl Producer {
    /// The command as the marker records it and messages name it.
    pub fn name(self) -> &'static str {
        match self {
            Producer::StudyReport => "reproduce/report",
            Producer::ValidatePlots => "validate --plots",
            Producer::ImputePlots => "--impute-plots",
            Producer::Card => "card --out",
            Producer::Agatston => "agatston --out",
            Producer::Derive => "derive --out",
            Producer::Simulate => "simulate --out",
            Producer::RocCoords => "roc --coords",
            Producer::CalibrationPlot => "calibration --plot",
            Producer::DecisionPlot => "decision --plot",
        }
    }
}

/// Contents of the marker: who wrote the directory and which files, with their SHA-256 and producer.
#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    written_by: String,
    format: u32,
    calcscore_version: String,
    files: BTreeMap<String, String>,
    /// The command that wrote each file ([`Producer::name`]); absent in markers of older calcscore versions.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    producers: BTreeMap<String, String>,
    /// True when the directory is not an output directory: the marker only records single files written into it
    /// (`derive --out FILE`), so it does not make the directory calcscore's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    loose: bool,
}

impl Marker {
    fn read(dir: &Path) -> Option<Marker> {
        let text = fs::read_to_string(dir.join(MARKER)).ok()?;
        serde_json::from_str::<Marker>(&text)
            .ok()
            .filter(|m| m.written_by == "calcscore")
    }
}

/// An existing output directory: its entries and which of them are calcscore's (unchanged since written), with
/// the command that wrote them where the marker says.
struct Existing {
    entries: Vec<OsString>,
    ours: BTreeMap<String, String>,
    producers: BTreeMap<String, String>,
    legacy: bool,
}

/// A checked, locked output directory: open it before the work, write the report at the end.
pub struct OutDir {
    shown: PathBuf,
    path: PathBuf,
    parent: PathBuf,
    name: OsString,
    inputs: Vec<PathBuf>,
    /// The option that named the directory (`--out`, `--plots`), for the fixes a refusal suggests.
    option: &'static str,
    /// The command writing: only its own earlier files are replaced.
    producer: Producer,
    _lock: Option<DirLock>,
}

impl OutDir {
    /// Check `out` (refusing an existing file, an input, or a directory that is not calcscore's), lock it against
    /// other runs, and clean what killed runs left. `inputs` are files the run reads: they are never replaced.
    /// `producer` is the command writing: other commands' files in the directory stay.
    pub fn open(out: &Path, inputs: &[&Path], producer: Producer) -> Result<OutDir> {
        OutDir::open_as(out, inputs, "--out", producer)
    }

    /// [`OutDir::open`] for a directory named by another option (`--plots DIR`): refusals suggest that option.
    pub fn open_as(
        out: &Path,
        inputs: &[&Path],
        option: &'static str,
        producer: Producer,
    ) -> Result<OutDir> {
        let inputs: Vec<PathBuf> = inputs
            .iter()
            .filter_map(|p| fs::canonicalize(p).ok())
            .collect();
        let path = resolve(out)?;
        let (parent, name) = match (path.parent(), path.file_name()) {
            (Some(p), Some(n)) => (p.to_path_buf(), n.to_os_string()),
            _ => return Err(usage(out, "is not a directory calcscore can write into")),
        };
        let lock = lock(&parent)?;
        let dir = OutDir {
            shown: out.to_path_buf(),
            path,
            parent,
            name,
            inputs,
            option,
            producer,
            _lock: lock,
        };
        dir.recover()?;
        dir.existing()?;
        Ok(dir)
    }

    /// Write `files` as the report: built beside the directory, then swapped in at once. Files that are not
    /// calcscore's stay, and so do other commands' files; in `Replace` mode this command's files not among
    /// `files` go.
    pub fn write(&self, files: &[OutputFile], mode: Mode) -> Result<()> {
        let mut existing = self.existing()?;
        if existing.as_ref().is_some_and(|e| e.legacy) {
            self.adopt(files)?;
            existing = self.existing()?;
        }
        let (carry, marker) = self.plan(existing.as_ref(), files, mode)?;
        let tmp = self.sibling(TMP, std::process::id());
        if fs::symlink_metadata(&tmp).is_ok() {
            self.discard(&tmp);
        }
        let built = self.build(&tmp, files, &carry, &marker);
        let result = built.and_then(|()| self.swap(&tmp, existing.is_none()));
        if result.is_err() && fs::symlink_metadata(&tmp).is_ok() {
            self.discard(&tmp);
        }
        result
    }

    /// The directory's state now: `None` if absent; a file or a foreign non-empty directory is refused.
    fn existing(&self) -> Result<Option<Existing>> {
        let meta = match fs::symlink_metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("inspect", &self.shown, e)),
        };
        if !meta.is_dir() {
            return Err(self.refuse_file());
        }
        let entries = list(&self.path).map_err(|e| Error::io("list", &self.shown, e))?;
        let mut ours = BTreeMap::new();
        let mut producers = BTreeMap::new();
        let mut legacy = false;
        if let Some(mut marker) = Marker::read(&self.path) {
            for (name, sha) in marker.files {
                if sha_file(&self.path.join(&name)).as_deref() == Some(sha.as_str()) {
                    if let Some(p) = marker.producers.remove(&name) {
                        producers.insert(name.clone(), p);
                    }
                    ours.insert(name, sha);
                }
            }
            // A marker of single files only (`derive --out DIR/score.toml`) does not make the directory an output
            // directory: it is calcscore's only if nothing else is in it.
            if marker.loose {
                let foreign: Vec<OsString> = entries
                    .iter()
                    .filter(|e| {
                        *e != MARKER
                            && *e != MARKER_PART
                            && !e.to_str().is_some_and(|n| ours.contains_key(n))
                    })
                    .cloned()
                    .collect();
                if !foreign.is_empty() {
                    return Err(self.refuse_foreign(&foreign));
                }
            }
        } else if is_legacy_report(&self.path) {
            legacy = true;
        } else if !entries.is_empty() {
            return Err(self.refuse_foreign(&entries));
        }
        Ok(Some(Existing {
            entries,
            ours,
            producers,
            legacy,
        }))
    }

    /// Mark a report of an older calcscore (no marker): its `manifest.json` and the files named as the new report's
    /// are calcscore's, of this command (only `reproduce` wrote a manifest then). Written first, so the swapped-out
    /// report is discarded by the same rules as any other.
    fn adopt(&self, files: &[OutputFile]) -> Result<()> {
        let names = files
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(["manifest.json"]);
        let ours: BTreeMap<String, String> = names
            .filter_map(|n| Some((n.to_string(), sha_file(&self.path.join(n))?)))
            .collect();
        let producers = self.producers_of(ours.keys());
        write_marker(&self.path, &marker(ours, producers))
    }

    /// Each of `names` as written by this command.
    fn producers_of<'a>(
        &self,
        names: impl Iterator<Item = &'a String>,
    ) -> BTreeMap<String, String> {
        names
            .map(|n| (n.clone(), self.producer.name().to_string()))
            .collect()
    }

    /// Entries to carry into the new report, and its marker; refuses a foreign file the report would replace
    /// and an input that would go.
    fn plan(
        &self,
        existing: Option<&Existing>,
        files: &[OutputFile],
        mode: Mode,
    ) -> Result<(Vec<OsString>, Marker)> {
        let new: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let mut listed: BTreeMap<String, String> =
            files.iter().map(|(n, b)| (n.clone(), sha(b))).collect();
        let mut producers = self.producers_of(listed.keys());
        let mut carry = Vec::new();
        for entry in existing.map(|e| e.entries.as_slice()).unwrap_or(&[]) {
            if entry == MARKER || entry == MARKER_PART {
                continue;
            }
            let text = entry.to_str().unwrap_or("");
            let ours = existing.is_some_and(|e| e.ours.contains_key(text));
            // The command that wrote it (none recorded by an older calcscore: then it is kept unless rewritten).
            let recorded = existing
                .and_then(|e| e.producers.get(text))
                .map(String::as_str);
            let mine = recorded == Some(self.producer.name());
            match (ours, new.contains(text)) {
                (true, true) => {
                    if let Some(p) = recorded.filter(|_| !mine) {
                        return Err(self.refuse_other_command(text, p));
                    }
                }
                (false, true) => return Err(self.refuse_conflict(text)),
                (true, false) if mode == Mode::Replace && mine => {}
                (true, false) => {
                    let path = self.path.join(entry);
                    let sha = sha_file(&path)
                        .ok_or_else(|| Error::io("read", &path, io::Error::other("unreadable")))?;
                    listed.insert(text.to_string(), sha);
                    if let Some(p) = recorded {
                        producers.insert(text.to_string(), p.to_string());
                    }
                    carry.push(entry.clone());
                }
                (false, false) => carry.push(entry.clone()),
            }
        }
        for input in &self.inputs {
            let Ok(rel) = input.strip_prefix(&self.path) else {
                continue;
            };
            let first = rel.components().next().map(|c| c.as_os_str());
            if !first.is_some_and(|f| carry.iter().any(|c| c == f)) {
                return Err(usage(
                    &self.shown,
                    &format!(
                        "holds the input {}, which this report would replace; nothing was written. Fix: move \
                         the input out of the directory, or choose another {}",
                        input.display(),
                        self.option
                    ),
                ));
            }
        }
        Ok((carry, marker(listed, producers)))
    }

    /// The new report in `tmp`: marker first (so a killed run's directory is recognisable), files, carried entries.
    fn build(
        &self,
        tmp: &Path,
        files: &[OutputFile],
        carry: &[OsString],
        marker: &Marker,
    ) -> Result<()> {
        fs::create_dir(tmp).map_err(|e| Error::io("create directory", tmp, e))?;
        write_marker(tmp, marker)?;
        for (name, bytes) in files {
            if name.contains(['/', '\\']) || name == MARKER {
                return Err(Error::Usage(format!(
                    "internal: bad report file name {name}"
                )));
            }
            let path = tmp.join(name);
            fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
        }
        for entry in carry {
            let from = self.path.join(entry);
            link_tree(&from, &tmp.join(entry)).map_err(|e| Error::io("keep", &from, e))?;
        }
        Ok(())
    }

    /// Put `tmp` in place of the directory in one step, then discard the previous report.
    fn swap(&self, tmp: &Path, absent: bool) -> Result<()> {
        if absent {
            return fs::rename(tmp, &self.path)
                .map_err(|e| Error::io("rename into place", &self.shown, e));
        }
        match exchange(tmp, &self.path) {
            Ok(()) => {
                self.discard(tmp);
                Ok(())
            }
            Err(e) if unsupported(&e) => self.swap_by_renames(tmp),
            Err(e) => Err(Error::io("swap into place", &self.shown, e)),
        }
    }

    /// Two renames where the file system cannot exchange directories; a run killed between them leaves the
    /// previous report as `.NAME.calcscore-old-PID`, which the next run puts back.
    fn swap_by_renames(&self, tmp: &Path) -> Result<()> {
        let old = self.sibling(OLD, std::process::id());
        fs::rename(&self.path, &old).map_err(|e| Error::io("move aside", &self.shown, e))?;
        if let Err(e) = fs::rename(tmp, &self.path) {
            let _ = fs::rename(&old, &self.path);
            return Err(Error::io("rename into place", &self.shown, e));
        }
        self.discard(&old);
        Ok(())
    }

    /// Clean what killed runs left: put back a previous report moved aside, discard temporary directories.
    fn recover(&self) -> Result<()> {
        let stale = self
            .stale()
            .map_err(|e| Error::io("list", &self.parent, e))?;
        let absent = fs::symlink_metadata(&self.path).is_err();
        let mut restored = None;
        if absent {
            restored = stale.iter().find(|(_, old)| *old).map(|(p, _)| p.clone());
            if let Some(old) = &restored {
                fs::rename(old, &self.path).map_err(|e| Error::io("restore", old, e))?;
            }
        }
        for (dir, _) in stale.iter().filter(|(p, _)| Some(p) != restored.as_ref()) {
            self.discard(dir);
        }
        Ok(())
    }

    /// calcscore's temporary siblings of this directory, each with whether it holds a report moved aside.
    fn stale(&self) -> io::Result<Vec<(PathBuf, bool)>> {
        let tmp = self.prefix(TMP);
        let old = self.prefix(OLD);
        let mut found = Vec::new();
        for entry in fs::read_dir(&self.parent)? {
            let entry = entry?;
            let name = entry.file_name();
            let bytes = name.as_encoded_bytes();
            let is_old = bytes.starts_with(old.as_encoded_bytes());
            let ours = is_old || bytes.starts_with(tmp.as_encoded_bytes());
            if ours && entry.file_type()?.is_dir() && is_calcscore_temp(&entry.path()) {
                found.push((entry.path(), is_old));
            }
        }
        found.sort();
        Ok(found)
    }

    /// Remove a temporary directory of calcscore: its own files (listed in its marker) and copies of entries still
    /// in the report go; anything else moves into the report, or stays (with a warning) if the name is taken.
    fn discard(&self, dir: &Path) {
        let listed = Marker::read(dir).map(|m| m.files).unwrap_or_default();
        let out_is_dir = self.path.is_dir();
        let mut kept = Vec::new();
        for entry in list(dir).unwrap_or_default() {
            let path = dir.join(&entry);
            let settled = if entry == MARKER || entry == MARKER_PART {
                Ok(true)
            } else if entry.to_str().is_some_and(|n| listed.contains_key(n)) {
                remove_any(&path).map(|()| true)
            } else if out_is_dir {
                settle(&path, &self.path.join(&entry))
            } else {
                Ok(false)
            };
            if !matches!(settled, Ok(true)) {
                kept.push(entry);
            }
        }
        if kept.is_empty() {
            let _ = fs::remove_file(dir.join(MARKER_PART));
            let _ = fs::remove_file(dir.join(MARKER));
            if fs::remove_dir(dir).is_ok() {
                return;
            }
        }
        eprintln!(
            "warning: left {} in place: it holds files calcscore did not write ({})",
            dir.display(),
            names(&kept)
        );
    }

    fn prefix(&self, kind: &str) -> OsString {
        let mut s = OsString::from(".");
        s.push(&self.name);
        s.push(format!(".{kind}-"));
        s
    }

    fn sibling(&self, kind: &str, pid: u32) -> PathBuf {
        let mut s = self.prefix(kind);
        s.push(pid.to_string());
        self.parent.join(s)
    }

    fn refuse_file(&self) -> Error {
        let what = if self.inputs.contains(&self.path) {
            "is an input file of this run"
        } else {
            "is an existing file, not a directory"
        };
        usage(
            &self.shown,
            &format!(
                "{what}; nothing was written or renamed. Fix: give {} a directory name (new, empty, or a \
                 previous calcscore report)",
                self.option
            ),
        )
    }

    fn refuse_foreign(&self, entries: &[OsString]) -> Error {
        usage(
            &self.shown,
            &format!(
                "is a non-empty directory that calcscore did not write (no {MARKER} of an output directory); it holds {} ({}). \
                 calcscore writes only into a new or empty directory or one of its own reports, and never deletes \
                 files it did not write; nothing was written. Fix: choose a new directory, e.g. {} {}",
                match entries.len() {
                    1 => "1 entry".to_string(),
                    n => format!("{n} entries"),
                },
                names(entries),
                self.option,
                self.shown.join("calcscore-report").display()
            ),
        )
    }

    fn refuse_other_command(&self, name: &str, producer: &str) -> Error {
        usage(
            &self.shown,
            &format!(
                "holds '{name}', written by calcscore {producer}, and calcscore {} would replace it; one command \
                 never replaces another's outputs, so nothing was written. Fix: choose another {} (or move \
                 '{name}' away)",
                self.producer.name(),
                self.option
            ),
        )
    }

    fn refuse_conflict(&self, name: &str) -> Error {
        usage(
            &self.shown,
            &format!(
                "holds '{name}', which calcscore did not write (or which was changed since), and the new report \
                 would replace it; nothing was written. Fix: move or rename '{name}', or choose another {}",
                self.option
            ),
        )
    }
}

/// Write one output file (`--out FILE`, `--coords FILE`, `--plot FILE`) through a temporary sibling and a rename,
/// and record it (name, command, SHA-256) in the marker of its directory. Refused (see [`check_file`]) if the path
/// is a directory, the same file as one of `inputs`, or an existing file that is not `producer`'s earlier output
/// unchanged since it was written: a file calcscore did not write is never replaced, whatever it holds.
pub fn write_file(path: &Path, bytes: &[u8], inputs: &[&Path], producer: Producer) -> Result<()> {
    write_file_with(path, inputs, producer, |tmp| {
        fs::write(tmp, bytes).map_err(|e| Error::io("write", path, e))
    })
}

/// [`write_file`] for an output written piece by piece: `write` fills the temporary file it is given (a sibling
/// of `path`), which then replaces `path` in one rename.
pub fn write_file_with(
    path: &Path,
    inputs: &[&Path],
    producer: Producer,
    write: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let single = Single::new(path)?;
    let _lock = lock(&single.parent)?;
    single.check(inputs, producer)?;
    let mut tmp = OsString::from(".");
    tmp.push(&single.name);
    tmp.push(format!(".{TMP}-{}", std::process::id()));
    let tmp = single.parent.join(tmp);
    let result = write(&tmp).and_then(|()| {
        let sha = sha_file(&tmp)
            .ok_or_else(|| Error::io("read back", &tmp, io::Error::other("not a file")))?;
        fs::rename(&tmp, single.real()).map_err(|e| Error::io("write", path, e))?;
        single.record(&sha, producer)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether `dir` is an output directory calcscore wrote (it holds a marker that is not only a record of single
/// files): a walk over input files (`agatston --batch ROOT`) does not enter it.
pub fn is_output_dir(dir: &Path) -> bool {
    Marker::read(dir).is_some_and(|m| !m.loose)
}

/// Whether `path` (existing or not) is `dir` or lies under it, comparing real paths (symbolic links followed as
/// far as the path exists).
pub fn is_within(path: &Path, dir: &Path) -> bool {
    let Ok(dir) = fs::canonicalize(dir) else {
        return false;
    };
    let mut rest = Vec::new();
    let mut existing = path;
    let real = loop {
        if let Ok(r) = fs::canonicalize(existing) {
            break r;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(p), Some(n)) => {
                rest.push(n.to_os_string());
                existing = if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                };
            }
            _ => return false,
        }
    };
    let full = rest.iter().rev().fold(real, |p, n| p.join(n));
    full.starts_with(&dir)
}

/// Refuse an output file before any work: a directory, the same file as one of `inputs`, calcscore's marker, or
/// an existing file that calcscore did not write as `producer`'s output (not in the marker of its directory, or
/// changed since: its SHA-256 is not the one recorded). [`write_file`] checks again.
pub fn check_file(path: &Path, inputs: &[&Path], producer: Producer) -> Result<()> {
    Single::new(path)?.check(inputs, producer)
}

/// One output file: as named, and its directory's real path (where its marker is) with its name.
struct Single {
    shown: PathBuf,
    parent: PathBuf,
    name: OsString,
}

impl Single {
    fn new(path: &Path) -> Result<Single> {
        if path.is_dir() {
            return Err(usage(
                path,
                "is a directory; nothing was written. Fix: give a file name",
            ));
        }
        let name = path
            .file_name()
            .ok_or_else(|| usage(path, "is not a file name"))?
            .to_os_string();
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let parent = fs::canonicalize(parent).map_err(|e| Error::io("resolve", parent, e))?;
        Ok(Single {
            shown: path.to_path_buf(),
            parent,
            name,
        })
    }

    fn real(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    fn check(&self, inputs: &[&Path], producer: Producer) -> Result<()> {
        if let Some(input) = inputs.iter().find(|i| same_file(&self.shown, i)) {
            return Err(usage(
                &self.shown,
                &format!(
                    "is the input {} of this run; nothing was written. Fix: write to another file",
                    input.display()
                ),
            ));
        }
        if self.name == MARKER || self.name == MARKER_PART {
            return Err(usage(
                &self.shown,
                "is calcscore's record of the files it wrote; nothing was written. Fix: choose another file name",
            ));
        }
        let path = self.real();
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io("inspect", &self.shown, e)),
        };
        let marker = Marker::read(&self.parent);
        let text = self.name.to_str().unwrap_or("");
        let recorded = marker.as_ref().and_then(|m| m.files.get(text));
        let ours = meta.is_file() && recorded.is_some() && sha_file(&path).as_ref() == recorded;
        if !ours {
            let why = if recorded.is_some() {
                "was written by calcscore but changed since (its SHA-256 is not the one recorded in"
            } else {
                "was not written by calcscore (it is not listed in"
            };
            return Err(usage(
                &self.shown,
                &format!(
                    "exists and is not an earlier output of calcscore {}: it {why} {MARKER}); calcscore never \
                     replaces a file it did not write, so nothing was written. Fix: choose another file name, or \
                     move the file away",
                    producer.name()
                ),
            ));
        }
        let by = marker.as_ref().and_then(|m| m.producers.get(text));
        match by {
            Some(p) if p != producer.name() => Err(usage(
                &self.shown,
                &format!(
                    "exists and is not an earlier output of calcscore {}: it was written by calcscore {p}, and one \
                     command never replaces another's outputs; nothing was written. Fix: choose another file name",
                    producer.name()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Record the file just written in its directory's marker (a marker of its own, `loose`, where the directory
    /// is not an output directory), dropping entries whose files are gone.
    fn record(&self, sha: &str, producer: Producer) -> Result<()> {
        let mut m = Marker::read(&self.parent).unwrap_or_else(|| {
            let mut m = marker(BTreeMap::new(), BTreeMap::new());
            m.loose = true;
            m
        });
        let name = self.name.to_string_lossy().into_owned();
        m.files
            .retain(|n, _| *n == name || fs::symlink_metadata(self.parent.join(n)).is_ok());
        let files = &m.files;
        m.producers.retain(|n, _| files.contains_key(n));
        m.files.insert(name.clone(), sha.to_string());
        m.producers.insert(name, producer.name().to_string());
        m.calcscore_version = env!("CARGO_PKG_VERSION").into();
        write_marker(&self.parent, &m)
    }
}

fn marker(files: BTreeMap<String, String>, producers: BTreeMap<String, String>) -> Marker {
    Marker {
        written_by: "calcscore".into(),
        format: FORMAT,
        calcscore_version: env!("CARGO_PKG_VERSION").into(),
        files,
        producers,
        loose: false,
    }
}

/// Write the marker whole or not at all (through `.calcscore-output.json.part`).
fn write_marker(dir: &Path, marker: &Marker) -> Result<()> {
    let text = serde_json::to_string_pretty(marker).unwrap_or_default() + "\n";
    let part = dir.join(MARKER_PART);
    fs::write(&part, text).map_err(|e| Error::io("write", &part, e))?;
    let path = dir.join(MARKER);
    fs::rename(&part, &path).map_err(|e| Error::io("write", &path, e))
}

/// A temporary directory is calcscore's if it holds a marker, or nothing but a half-written one (killed before the
/// marker was complete): a directory of that name without either is not touched.
fn is_calcscore_temp(dir: &Path) -> bool {
    Marker::read(dir).is_some()
        || list(dir).is_ok_and(|entries| entries.iter().all(|e| e == MARKER_PART))
}

fn usage(path: &Path, what: &str) -> Error {
    Error::Usage(format!("output {} {what}", path.display()))
}

/// The real path of `out` (symbolic links followed); for a new directory, its created parent's real path.
fn resolve(out: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(out) {
        Ok(_) => fs::canonicalize(out).map_err(|e| Error::io("resolve", out, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let name = out
                .file_name()
                .ok_or_else(|| usage(out, "is not a directory name"))?;
            let parent = out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
            let parent = fs::canonicalize(parent).map_err(|e| Error::io("resolve", parent, e))?;
            Ok(parent.join(name))
        }
        Err(e) => Err(Error::io("inspect", out, e)),
    }
}

/// Directories this process holds the lock of: a second lock of the same directory within one run (an output
/// directory and a single output file beside it) is not taken again, so the run cannot wait for itself.
static HELD: std::sync::Mutex<BTreeSet<PathBuf>> = std::sync::Mutex::new(BTreeSet::new());

/// The lock on one directory, released when dropped (and by the kernel when the process ends).
struct DirLock {
    _file: File,
    path: PathBuf,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        if let Ok(mut held) = HELD.lock() {
            held.remove(&self.path);
        }
    }
}

/// Lock the parent directory (`flock` on it); waits, saying so, while another run holds it. The kernel releases
/// the lock when a run ends, even by SIGKILL. (`File::lock` would do the same but needs Rust 1.89.) `None` when
/// this process holds it already.
#[cfg(unix)]
fn lock(parent: &Path) -> Result<Option<DirLock>> {
    use std::os::unix::io::AsRawFd;
    if HELD.lock().is_ok_and(|held| held.contains(parent)) {
        return Ok(None);
    }
    let file = File::open(parent).map_err(|e| Error::io("open for locking", parent, e))?;
    let flock = |op| {
        // SAFETY: `file` is an open descriptor for the whole call; flock only changes its lock.
        let r = unsafe { libc::flock(file.as_raw_fd(), op) };
        if r == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    };
    match flock(libc::LOCK_EX | libc::LOCK_NB) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            eprintln!(
                "waiting: another calcscore run is writing into {}",
                parent.display()
            );
            flock(libc::LOCK_EX).map_err(|e| Error::io("lock", parent, e))?;
        }
        Err(e) => return Err(Error::io("lock", parent, e)),
    }
    if let Ok(mut held) = HELD.lock() {
        held.insert(parent.to_path_buf());
    }
    Ok(Some(DirLock {
        _file: file,
        path: parent.to_path_buf(),
    }))
}

/// No lock where there is no `flock` (documented limitation: concurrent runs are not serialised there).
#[cfg(not(unix))]
fn lock(_parent: &Path) -> Result<Option<DirLock>> {
    Ok(None)
}

/// Exchange two directories atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call; the syscall only reads them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

fn unsupported(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
        return true;
    }
    e.kind() == io::ErrorKind::Unsupported
}

/// An older calcscore report: no marker, but a `manifest.json` calcscore wrote.
fn is_legacy_report(dir: &Path) -> bool {
    fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("calcscore_version").is_some() && v.get("study").is_some())
}

fn list(dir: &Path) -> io::Result<Vec<OsString>> {
    let mut names = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<io::Result<Vec<_>>>()?;
    names.sort();
    Ok(names)
}

fn names(entries: &[OsString]) -> String {
    let mut shown: Vec<String> = entries
        .iter()
        .take(5)
        .map(|e| format!("'{}'", e.to_string_lossy()))
        .collect();
    if entries.len() > 5 {
        shown.push("...".into());
    }
    shown.join(", ")
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sha_file(path: &Path) -> Option<String> {
    let meta = fs::symlink_metadata(path).ok()?;
    meta.is_file()
        .then(|| fs::read(path).ok().map(|b| sha(&b)))
        .flatten()
}

/// Copy an entry as hard links (a copy where linking fails), directories recursively, links as links.
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.is_dir() {
        fs::create_dir(to)?;
        for entry in list(from)? {
            link_tree(&from.join(&entry), &to.join(&entry))?;
        }
        return fs::set_permissions(to, meta.permissions());
    }
    #[cfg(unix)]
    if meta.file_type().is_symlink() {
        return std::os::unix::fs::symlink(fs::read_link(from)?, to);
    }
    fs::hard_link(from, to).or_else(|_| fs::copy(from, to).map(|_| ()))
}

/// Remove `path` if `twin` is the same entry (a hard link, an equal copy; directories entry by entry), or move it
/// to `twin` if that is free. True when nothing is left at `path`.
fn settle(path: &Path, twin: &Path) -> io::Result<bool> {
    let meta = fs::symlink_metadata(path)?;
    let twin_meta = match fs::symlink_metadata(twin) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::rename(path, twin)?;
            return Ok(true);
        }
        Err(e) => return Err(e),
    };
    if meta.is_dir() && twin_meta.is_dir() {
        let mut all = true;
        for entry in list(path)? {
            all &= settle(&path.join(&entry), &twin.join(&entry)).unwrap_or(false);
        }
        if all {
            fs::remove_dir(path)?;
        }
        return Ok(all);
    }
    if same_entry(path, &meta, twin, &twin_meta)? {
        fs::remove_file(path)?;
        return Ok(true);
    }
    Ok(false)
}

fn same_entry(a: &Path, am: &fs::Metadata, b: &Path, bm: &fs::Metadata) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if am.dev() == bm.dev() && am.ino() == bm.ino() {
            return Ok(true);
        }
    }
    if am.file_type().is_symlink() && bm.file_type().is_symlink() {
        return Ok(fs::read_link(a)? == fs::read_link(b)?);
    }
    if am.is_file() && bm.is_file() && am.len() == bm.len() {
        return Ok(fs::read(a)? == fs::read(b)?);
    }
    Ok(false)
}

/// Whether two paths name the same file (same real path, or the same inode on Unix).
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ra), Ok(rb)) = (fs::canonicalize(a), fs::canonicalize(b)) else {
        return false;
    };
    if ra == rb {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) {
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
    }
    false
}

fn remove_any(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file is replaced only when calcscore wrote it, as the same command, and it is unchanged since: a user's
    /// notes, a hand-written score or a registry with calcscore's header never.
    #[test]
    fn only_calcscores_own_unchanged_file_is_replaced() {
        let score = b"name = \"a\"\ncutoff = 2\n\n[[item]]\nlabel = \"x\"\n";
        let other_score = b"name = \"b\"\ncutoff = 3\n\n[[item]]\nlabel = \"y\"\n";
        let dir = tempfile::tempdir().unwrap();
        let hand = dir.path().join("hand.toml");
        fs::write(&hand, score).unwrap();
        let e = write_file(&hand, other_score, &[], Producer::Derive).unwrap_err();
        assert!(
            e.to_string().contains("was not written by calcscore"),
            "{e}"
        );
        assert_eq!(fs::read(&hand).unwrap(), score);
        let out = dir.path().join("s.toml");
        write_file(&out, score, &[], Producer::Derive).unwrap();
        write_file(&out, other_score, &[], Producer::Derive).unwrap();
        assert_eq!(fs::read(&out).unwrap(), other_score);
        let e = write_file(&out, b"t,s\n", &[], Producer::RocCoords).unwrap_err();
        assert!(
            e.to_string().contains("written by calcscore derive --out"),
            "{e}"
        );
        fs::write(&out, b"edited").unwrap();
        let e = write_file(&out, score, &[], Producer::Derive).unwrap_err();
        assert!(e.to_string().contains("changed since"), "{e}");
        assert_eq!(fs::read(&out).unwrap(), b"edited");
        let m = Marker::read(dir.path()).unwrap();
        assert!(m.loose);
        assert_eq!(list(dir.path()).unwrap(), [MARKER, "hand.toml", "s.toml"]);
        // A directory holding single outputs and a user's file is not an output directory.
        let e = OutDir::open(dir.path(), &[], Producer::Card)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("non-empty directory"), "{e}");
    }

    fn files(pairs: &[(&str, &str)]) -> Vec<OutputFile> {
        pairs
            .iter()
            .map(|(n, b)| (n.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn two_renames_where_exchange_is_unavailable() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("r");
        let dir = OutDir::open(&out, &[], Producer::StudyReport).unwrap();
        dir.write(&files(&[("a.txt", "1")]), Mode::Replace).unwrap();
        fs::write(out.join("mine.txt"), "mine").unwrap();
        let existing = dir.existing().unwrap();
        let new = files(&[("b.txt", "2")]);
        let (carry, marker) = dir.plan(existing.as_ref(), &new, Mode::Replace).unwrap();
        let tmp = dir.sibling(TMP, 1);
        dir.build(&tmp, &new, &carry, &marker).unwrap();
        dir.swap_by_renames(&tmp).unwrap();
        assert_eq!(list(&out).unwrap(), [MARKER, "b.txt", "mine.txt"]);
        assert_eq!(list(root.path()).unwrap(), ["r"]);
    }

    #[test]
    fn a_report_moved_aside_by_a_killed_run_is_put_back() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("r");
        let dir = OutDir::open(&out, &[], Producer::StudyReport).unwrap();
        dir.write(&files(&[("a.txt", "1")]), Mode::Replace).unwrap();
        drop(dir);
        // Killed between the two renames: the report is aside, the new one still in its temporary directory.
        fs::rename(&out, root.path().join(".r.calcscore-old-7")).unwrap();
        let tmp = root.path().join(".r.calcscore-tmp-7");
        fs::create_dir(&tmp).unwrap();
        fs::write(tmp.join("a.txt"), "half").unwrap();
        let marker = r#"{"written_by":"calcscore","format":1,"calcscore_version":"0","files":{"a.txt":"0"}}"#;
        fs::write(tmp.join(MARKER), marker).unwrap();
        let _dir = OutDir::open(&out, &[], Producer::StudyReport).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "1");
        assert_eq!(list(root.path()).unwrap(), ["r"]);
    }

    #[test]
    fn a_report_of_an_older_calcscore_is_adopted_and_replaced() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("r");
        fs::create_dir(&out).unwrap();
        fs::write(
            out.join("manifest.json"),
            r#"{"calcscore_version":"0.0.9","study":"zhang2021"}"#,
        )
        .unwrap();
        fs::write(out.join("report.md"), "old").unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let dir = OutDir::open(&out, &[], Producer::StudyReport).unwrap();
        let new = files(&[("report.md", "new"), ("manifest.json", "{}")]);
        dir.write(&new, Mode::Replace).unwrap();
        assert_eq!(
            list(&out).unwrap(),
            [MARKER, "manifest.json", "notes.txt", "report.md"]
        );
        assert_eq!(fs::read_to_string(out.join("report.md")).unwrap(), "new");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        assert_eq!(list(root.path()).unwrap(), ["r"]);
    }

    #[test]
    fn a_command_replaces_its_own_files_only() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("r");
        let plots = OutDir::open(&out, &[], Producer::ValidatePlots).unwrap();
        plots
            .write(&files(&[("calibration.svg", "v1")]), Mode::Replace)
            .unwrap();
        drop(plots);
        let card = OutDir::open(&out, &[], Producer::Card).unwrap();
        card.write(&files(&[("card.svg", "c1")]), Mode::Replace)
            .unwrap();
        card.write(&files(&[("card.png", "c2")]), Mode::Replace)
            .unwrap();
        // The card's first file went with its rerun; validate's stayed.
        assert_eq!(list(&out).unwrap(), [MARKER, "calibration.svg", "card.png"]);
        let e = card
            .write(&files(&[("calibration.svg", "c3")]), Mode::Replace)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'calibration.svg', written by calcscore validate --plots"),
            "{e}"
        );
        assert_eq!(
            fs::read_to_string(out.join("calibration.svg")).unwrap(),
            "v1"
        );
        drop(card);
        // validate's rerun replaces its own plots and keeps the card.
        let plots = OutDir::open(&out, &[], Producer::ValidatePlots).unwrap();
        plots
            .write(&files(&[("decision.svg", "v2")]), Mode::Replace)
            .unwrap();
        assert_eq!(list(&out).unwrap(), [MARKER, "card.png", "decision.svg"]);
    }

    #[test]
    fn a_file_of_a_marker_without_producers_is_kept() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("r");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("old.svg"), "old").unwrap();
        let marker = format!(
            r#"{{"written_by":"calcscore","format":1,"calcscore_version":"0","files":{{"old.svg":"{}"}}}}"#,
            sha(b"old")
        );
        fs::write(out.join(MARKER), marker).unwrap();
        let card = OutDir::open(&out, &[], Producer::Card).unwrap();
        card.write(&files(&[("card.svg", "c")]), Mode::Replace)
            .unwrap();
        assert_eq!(list(&out).unwrap(), [MARKER, "card.svg", "old.svg"]);
    }

    #[test]
    fn a_unique_file_in_a_stale_directory_moves_into_the_report() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("r");
        let dir = OutDir::open(&out, &[], Producer::StudyReport).unwrap();
        dir.write(&files(&[("a.txt", "1")]), Mode::Replace).unwrap();
        drop(dir);
        // A report swapped out by a run killed before discarding it, with a file the user added meanwhile.
        let stale = root.path().join(".r.calcscore-tmp-9");
        fs::create_dir(&stale).unwrap();
        write_marker(&stale, &marker(BTreeMap::new(), BTreeMap::new())).unwrap();
        fs::write(stale.join("late.txt"), "added during a run").unwrap();
        let _dir = OutDir::open(&out, &[], Producer::StudyReport).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("late.txt")).unwrap(),
            "added during a run"
        );
        assert_eq!(list(root.path()).unwrap(), ["r"]);
    }
}
