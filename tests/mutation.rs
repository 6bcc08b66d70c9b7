//! Mutation test: every fixture, damaged the way real files and attackers damage them, goes through
//! the whole pipeline and every report format. Nothing may panic or hang, and every machine
//! format must stay valid: JSON parses, XML is well-formed, terminal formats hold no raw control
//! character.
//!
//! The mutations are drawn from a fixed seed, so a failure names a case that reproduces
//! (`MUTATION_SEED` and `MUTATIONS_PER_FILE` change them for a longer local run). Each mutated file
//! is linted together with the other files of its fixture directory, so the link stage and the
//! cross-file rules see it too.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use irsa_lint::lint::{LintOptions, lint_in_memory};
use irsa_lint::report::{self, Format, Summary};

/// The default seed and number of mutations of each fixture: a few seconds in a debug build.
const SEED: u64 = 0x1285_a11c_e5ee_d001;
const PER_FILE: usize = 1;

/// A file that takes longer than this (in a debug build, on a loaded CI machine) has a
/// performance bug: the fixtures are a few kilobytes.
const TIME_BOUND: Duration = Duration::from_secs(10);

/// Fixtures larger than this are left out (the SARIF schema copy): mutating them tells nothing
/// the small ones do not, and costs seconds.
const MAX_FIXTURE: u64 = 64 * 1024;

/// splitmix64: tiny, good enough to spread mutations, identical on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// What is inserted: YAML anchors and aliases, openers of flow collections and strings, and the
/// control characters that break lines and terminals.
const INSERTS: [&[u8]; 8] = [b"&a ", b"*a", b"{", b"[", b"\"", b"\r", b"\x1b[2J", b"\0"];

/// Damage `bytes` once; returns the mutation's name for the failure message.
fn mutate(bytes: &mut Vec<u8>, rng: &mut Rng) -> String {
    let len = bytes.len();
    match rng.below(6) {
        0 if len > 0 => {
            let at = rng.below(len);
            let bit = 1u8 << rng.below(8);
            bytes[at] ^= bit;
            format!("flip bit {bit:#x} at byte {at}")
        }
        1 => {
            let at = rng.below(len);
            bytes.truncate(at);
            format!("truncate at byte {at}")
        }
        2 | 3 => {
            let lines: Vec<(usize, usize)> = line_ranges(bytes);
            let (start, end) = lines[rng.below(lines.len())];
            let line = bytes[start..end].to_vec();
            if rng.below(2) == 0 {
                bytes.splice(start..start, line);
                format!("duplicate line at byte {start}")
            } else {
                bytes.drain(start..end);
                format!("delete line at byte {start}")
            }
        }
        _ => {
            let at = rng.below(len + 1);
            let insert = INSERTS[rng.below(INSERTS.len())];
            bytes.splice(at..at, insert.iter().copied());
            format!("insert {:?} at byte {at}", String::from_utf8_lossy(insert))
        }
    }
}

/// Byte ranges of the lines of `bytes`, each with its line feed.
fn line_ranges(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < bytes.len() || out.is_empty() {
        out.push((start, bytes.len()));
    }
    out
}

/// The fixture files, in a fixed order.
fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut dirs = vec![root.join("testdata"), root.join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) && path.metadata().unwrap().len() <= MAX_FIXTURE
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The files of `fixture`'s directory, `fixture` replaced by `mutated`, as (name, bytes).
fn directory_with(fixture: &Path, mutated: &[u8]) -> Vec<(String, Vec<u8>)> {
    let dir = fixture.parent().unwrap();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let linted = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        );
        if !linted || !path.is_file() || path.metadata().unwrap().len() > MAX_FIXTURE {
            continue;
        }
        let name = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = if path == fixture {
            mutated.to_vec()
        } else {
            std::fs::read(&path).unwrap()
        };
        files.push((name, bytes));
    }
    files.sort();
    files
}

/// Lint `files` and render every format; check what each must hold. Returns a description of
/// the first problem.
fn lint_and_render(files: Vec<(String, Vec<u8>)>) -> Result<(), String> {
    let opts = LintOptions {
        discover: irsa_lint::discover::DiscoverOptions {
            jobs: 1,
            ..Default::default()
        },
        ..LintOptions::default()
    };
    let result = lint_in_memory(files, &opts).map_err(|e| format!("lint error: {e}"))?;
    let summary = Summary::new(result.files, &result.diagnostics);
    for format in Format::ALL {
        let bytes = report::render(format, &result.diagnostics, &summary, false);
        let text = String::from_utf8(bytes).map_err(|_| format!("{format:?}: not UTF-8"))?;
        match format {
            Format::Json | Format::Sarif | Format::Gitlab => {
                serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| format!("{format:?}: not JSON: {e}"))?;
            }
            Format::Junit => {
                roxmltree::Document::parse(&text)
                    .map_err(|e| format!("JUnit: not well-formed: {e}"))?;
            }
            Format::Human | Format::Concise | Format::Github => {
                if let Some(c) = text.chars().find(|&c| c != '\n' && c.is_control()) {
                    return Err(format!("{format:?}: raw {c:?} in the output"));
                }
            }
        }
    }
    let md = report::github::step_summary(&result.diagnostics, &summary);
    if let Some(c) = md.chars().find(|&c| c != '\n' && c.is_control()) {
        return Err(format!("step summary: raw {c:?}"));
    }
    Ok(())
}

/// Run one case on a thread of its own, so that a panic is caught with its message and a hang
/// fails the test after [`TIME_BOUND`] instead of blocking it.
fn run_case(files: Vec<(String, Vec<u8>)>) -> Result<Duration, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let start = Instant::now();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| lint_and_render(files)))
            .unwrap_or_else(|panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(format!("panic: {message}"))
            });
        let _ = tx.send(outcome.map(|()| start.elapsed()));
    });
    match rx.recv_timeout(TIME_BOUND) {
        Ok(outcome) => outcome,
        Err(_) => Err(format!("no result within {TIME_BOUND:?}")),
    }
}

#[test]
fn mutated_fixtures_never_crash_hang_or_break_a_format() {
    let seed = std::env::var("MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let per_file = std::env::var("MUTATIONS_PER_FILE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(PER_FILE);
    // The panic hook would print every caught panic; the failures below say it all.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed);
    let fixtures = fixtures();
    assert!(fixtures.len() > 300, "the fixtures were found");
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut slowest = (Duration::ZERO, String::new());
    for fixture in &fixtures {
        let original = std::fs::read(fixture).unwrap();
        for _ in 0..per_file {
            let mut bytes = original.clone();
            let mut applied = vec![mutate(&mut bytes, &mut rng)];
            // Sometimes two at once: a damaged file is rarely damaged in one place only.
            if rng.below(3) == 0 {
                applied.push(mutate(&mut bytes, &mut rng));
            }
            let case = format!("{} ({})", fixture.display(), applied.join(", "));
            cases += 1;
            match run_case(directory_with(fixture, &bytes)) {
                Ok(elapsed) if elapsed > slowest.0 => slowest = (elapsed, case),
                Ok(_) => {}
                Err(problem) => failures.push(format!("{case}: {problem}")),
            }
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "{cases} mutated fixtures (seed {seed:#x}); slowest {:?}: {}",
        slowest.0, slowest.1
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed (seed {seed:#x}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_mutations_change_the_files_and_cover_every_kind() {
    // A mutation that left the file as it was would test nothing.
    let mut rng = Rng(SEED);
    let mut kinds = std::collections::BTreeSet::new();
    let original = b"a: 1\nb: [2, 3]\nc: \"x\"\n".to_vec();
    for _ in 0..500 {
        let mut bytes = original.clone();
        let name = mutate(&mut bytes, &mut rng);
        assert_ne!(bytes, original, "{name}");
        kinds.insert(name.split(" at ").next().unwrap().to_string());
    }
    for kind in ["truncate", "duplicate line", "delete line"] {
        assert!(kinds.contains(kind), "{kinds:?}");
    }
    assert!(kinds.iter().any(|k| k.starts_with("flip bit")));
    for insert in INSERTS {
        let name = format!("insert {:?}", String::from_utf8_lossy(insert));
        assert!(kinds.contains(&name), "{name} in {kinds:?}");
    }
}
