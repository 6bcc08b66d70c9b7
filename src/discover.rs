//! Discover: turn the paths on the command line into the list of files to lint.
//!
//! Directories are walked in parallel with the `ignore` crate (which honours `.gitignore`,
//! `.ignore` and git's exclude files unless `--no-ignore`); `--exclude` globs prune files and whole
//! directories. Files named explicitly are always linted, whatever their extension. The result is
//! sorted, so output does not depend on `--jobs`.
//!
//! Special entries:
//!
//! * A path named on the command line is followed if it is a symlink (the user chose it). A
//!   dangling or looping one is an error (exit status 2), like a path that does not exist. A named
//!   FIFO, socket or device is never read: it is reported as IRSA002.
//! * While walking, symlinks are never followed (a link may leave the tree or loop) and FIFOs,
//!   sockets and devices are never opened (reading one may block forever). Those whose name would
//!   have been linted, and symlinks to directories, are counted in [`Skipped`] for the summary.
//! * A directory is walked whatever its name (`x.yaml/` included).

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkState;

/// Extensions linted when walking a directory.
pub const DEFAULT_EXTENSIONS: [&str; 5] = ["yaml", "yml", "json", "tf", "tfvars"];

/// The extension of Terraform state files, walked only with `include_state` (`--include-state`):
/// state holds secrets in clear text, so it is read only when asked for.
pub const STATE_EXTENSION: &str = "tfstate";

#[derive(Clone, Debug, Default)]
pub struct DiscoverOptions {
    pub no_ignore: bool,
    pub exclude: Vec<String>,
    pub jobs: usize,
    /// Record every entry a walk passes over, with the reason (`--verbose`); off, only counts.
    pub list_skipped: bool,
    /// Also walk Terraform state files, `*.tfstate` (`--include-state`).
    pub include_state: bool,
}

/// An entry a walk passed over without linting it, and why (`--verbose` lists them).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkippedEntry {
    pub display: String,
    pub reason: &'static str,
}

/// One file to lint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    /// As shown in diagnostics: relative to the working directory when under it, else as given.
    pub display: String,
    pub path: PathBuf,
    /// The repository the file belongs to: the nearest directory at or above it that holds a
    /// `.git` entry, as displayed (`.` for the working directory); None outside any repository.
    /// The link stage never joins files of two repositories ([`repository_of`]).
    pub repository: Option<String>,
}

/// A path that could not be walked (an unreadable directory): reported as IRSA002.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkProblem {
    pub display: String,
    pub message: String,
}

/// Entries a walk passed over although their name says they would be linted (a `.yaml`, `.yml`
/// or `.json` name), or that could hide such files (a symlink to a directory), by kind. Counted so
/// that the summary says what was not linted; entries with other names are not counted, as a walk
/// passes over thousands of them by design.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Symbolic links: never followed while walking (a link may leave the tree, or loop).
    pub symlinks: usize,
    /// Named pipes: reading one blocks until a writer comes.
    pub fifos: usize,
    /// Unix domain sockets.
    pub sockets: usize,
    /// Block and character devices: reading one may never end.
    pub devices: usize,
}

impl Skipped {
    pub fn total(&self) -> usize {
        self.symlinks + self.fifos + self.sockets + self.devices
    }
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub problems: Vec<WalkProblem>,
    pub skipped: Skipped,
    /// With `list_skipped`: every entry passed over, sorted.
    pub skipped_entries: Vec<SkippedEntry>,
}

#[derive(Debug)]
pub enum DiscoverError {
    /// A path on the command line does not exist, or is a symlink that leads nowhere (exit
    /// status 2), with the reason.
    Missing(PathBuf, String),
    /// An `--exclude` glob does not parse.
    BadGlob(String, String),
}

impl std::fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoverError::Missing(p, why) => write!(f, "{}: {why}", p.display()),
            DiscoverError::BadGlob(g, e) => write!(f, "invalid --exclude glob {g:?}: {e}"),
        }
    }
}

pub fn build_globset(globs: &[String]) -> Result<GlobSet, DiscoverError> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| DiscoverError::BadGlob(g.clone(), e.to_string()))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| DiscoverError::BadGlob(globs.join(","), e.to_string()))
}

/// The path as shown to the user: relative to `cwd` when it lies under it, with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    if s.is_empty() { ".".to_string() } else { s }
}

/// True when the glob set excludes `display` or one of its parent directories.
fn excluded(set: &GlobSet, display: &str) -> bool {
    if set.is_empty() {
        return false;
    }
    let mut path = Some(Path::new(display));
    while let Some(p) = path {
        if p.as_os_str().is_empty() {
            break;
        }
        if set.is_match(p) {
            return true;
        }
        path = p.parent();
    }
    false
}

fn has_default_extension(path: &Path, include_state: bool) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        DEFAULT_EXTENSIONS.iter().any(|d| e.eq_ignore_ascii_case(d))
            || (include_state && e.eq_ignore_ascii_case(STATE_EXTENSION))
    })
}

/// A set of globs relative to a base directory (the configuration's), matched against files
/// given by the path they were read from.
///
/// A file matches when its path relative to the base, or the path of one of its parent
/// directories, matches a glob (as `--exclude` does): `vendor` covers everything under `vendor/`.
/// Glob syntax is globset's, as for `--exclude` (`*` also matches `/`, `**` any number of
/// directories, `{a,b}` alternatives). A file outside the base directory never matches.
#[derive(Clone, Debug)]
pub struct PathGlobs {
    /// The globs as written.
    pub globs: Vec<String>,
    base: PathBuf,
    cwd: PathBuf,
    set: GlobSet,
}

impl PathGlobs {
    /// Compile `globs`, relative to `base`; relative file paths are resolved against `cwd`.
    pub fn new(globs: &[String], base: &Path, cwd: &Path) -> Result<PathGlobs, String> {
        let set = build_globset(globs).map_err(|e| match e {
            DiscoverError::BadGlob(g, why) => format!("invalid glob `{g}`: {why}"),
            other => other.to_string(),
        })?;
        Ok(PathGlobs {
            globs: globs.to_vec(),
            base: normalize(&cwd.join(base)),
            cwd: cwd.to_path_buf(),
            set,
        })
    }

    /// True when `path` (absolute, or relative to the working directory) or one of its parent
    /// directories matches, relative to the base directory.
    pub fn matches(&self, path: &Path) -> bool {
        let absolute = normalize(&self.cwd.join(path));
        let Ok(relative) = absolute.strip_prefix(&self.base) else {
            return false;
        };
        let mut current = Some(relative);
        while let Some(p) = current {
            if p.as_os_str().is_empty() {
                break;
            }
            let text = p.to_string_lossy().replace('\\', "/");
            if self.set.is_match(Path::new(&text)) {
                return true;
            }
            current = p.parent();
        }
        false
    }

    /// True when the globs are relative to `dir` (so they can be handed to the directory walker,
    /// whose globs are relative to the working directory, to prune whole directories).
    pub fn is_based_at(&self, dir: &Path) -> bool {
        self.base == normalize(dir)
    }
}

/// Resolve `.` and `..` without touching the file system (the file may not exist, and symlinks
/// must not make a path escape its base).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Find the files to lint under `paths`.
pub fn discover(
    paths: &[PathBuf],
    opts: &DiscoverOptions,
    cwd: &Path,
) -> Result<Discovered, DiscoverError> {
    let exclude = std::sync::Arc::new(build_globset(&opts.exclude)?);
    let found = Mutex::new(Discovered::default());
    for root in paths {
        // A path named on the command line is followed if it is a symlink: the user chose it.
        let meta = std::fs::metadata(root)
            .map_err(|e| DiscoverError::Missing(root.clone(), missing_reason(root, &e)))?;
        if !meta.is_dir() && !meta.is_file() {
            // A FIFO or device would block or stream forever: never read one.
            found.lock().unwrap().problems.push(WalkProblem {
                display: display_path(root, cwd),
                message: "not a regular file (a FIFO, socket or device is never read)".to_string(),
            });
            continue;
        }
        if meta.is_file() {
            // Named explicitly: always linted, whatever its extension or ignore files say.
            found.lock().unwrap().inputs.push(Input {
                display: display_path(root, cwd),
                path: root.clone(),
                repository: None,
            });
            continue;
        }
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .follow_links(false)
            .hidden(false)
            .require_git(false)
            .threads(opts.jobs.clamp(1, crate::limits::MAX_JOBS))
            .git_ignore(!opts.no_ignore)
            .git_global(!opts.no_ignore)
            .git_exclude(!opts.no_ignore)
            .ignore(!opts.no_ignore)
            .parents(!opts.no_ignore);
        let found = &found;
        let list = opts.list_skipped;
        let include_state = opts.include_state;
        let skip = move |entry: &ignore::DirEntry, reason: &'static str| {
            if list {
                found.lock().unwrap().skipped_entries.push(SkippedEntry {
                    display: display_path(entry.path(), cwd),
                    reason,
                });
            }
        };
        let (filter_set, filter_cwd) = (exclude.clone(), cwd.to_path_buf());
        let excluded_entries = std::sync::Arc::new(Mutex::new(Vec::new()));
        let excluded_sink = excluded_entries.clone();
        builder
            .filter_entry(move |entry| {
                if entry.file_name() == ".git" && entry.depth() > 0 {
                    return false;
                }
                let display = display_path(entry.path(), &filter_cwd);
                let out = excluded(&filter_set, &display);
                if out && list {
                    excluded_sink.lock().unwrap().push(SkippedEntry {
                        display,
                        reason: "excluded by --exclude or the configuration's exclude",
                    });
                }
                !out
            })
            .build_parallel()
            .run(|| {
                Box::new(move |result| {
                    match result {
                        Ok(entry) => match entry.file_type().map(classify) {
                            Some(Kind::File) if has_default_extension(entry.path(), include_state) => {
                                found.lock().unwrap().inputs.push(Input {
                                    display: display_path(entry.path(), cwd),
                                    path: entry.into_path(),
                                    repository: None,
                                });
                            }
                            Some(Kind::Symlink)
                                if has_default_extension(entry.path(), include_state) || entry.path().is_dir() =>
                            {
                                found.lock().unwrap().skipped.symlinks += 1;
                                skip(&entry, "a symbolic link: never followed while walking");
                            }
                            Some(Kind::Special(counter)) if has_default_extension(entry.path(), include_state) => {
                                counter(&mut found.lock().unwrap().skipped);
                                skip(&entry, "a FIFO, socket or device: never opened");
                            }
                            Some(Kind::File) if has_default_extension(entry.path(), true) => {
                                skip(
                                    &entry,
                                    "a Terraform state file: it holds secrets, so it is read only when named or with --include-state",
                                );
                            }
                            Some(Kind::File | Kind::Symlink) => {
                                skip(
                                    &entry,
                                    "not a .yaml, .yml or .json file (name it to lint it)",
                                );
                            }
                            _ => {}
                        },
                        Err(err) => {
                            let display = walk_error_path(&err)
                                .map(|p| display_path(&p, cwd))
                                .unwrap_or_else(|| display_path(root, cwd));
                            found.lock().unwrap().problems.push(WalkProblem {
                                display,
                                message: format!("cannot read: {}", walk_error_message(&err)),
                            });
                        }
                    }
                    WalkState::Continue
                })
            });
        let excluded_entries = std::mem::take(&mut *excluded_entries.lock().unwrap());
        found
            .lock()
            .unwrap()
            .skipped_entries
            .extend(excluded_entries);
    }
    let mut found = found.into_inner().unwrap();
    found.skipped_entries.sort();
    found.inputs.sort();
    found.inputs.dedup_by(|a, b| a.path == b.path);
    found.problems.sort();
    let mut repositories = Repositories::default();
    for input in &mut found.inputs {
        let dir = cwd.join(&input.path);
        let dir = dir.parent().unwrap_or(&dir);
        input.repository = repositories
            .root_of(dir)
            .map(|root| display_path(&root, cwd));
    }
    Ok(found)
}

/// The repository a directory belongs to: the nearest directory at or above it that holds a
/// `.git` entry (a directory, or the file a worktree or submodule has), as displayed relative to
/// `cwd`. None when no ancestor up to the root of the file system holds one.
///
/// The directory is resolved on the real file system first (symbolic links followed, `..` taken
/// where it leads), so a path given on the command line inside a repository finds the repository's
/// root however it was written.
pub fn repository_of(dir: &Path, cwd: &Path) -> Option<String> {
    Repositories::default()
        .root_of(&cwd.join(dir))
        .map(|root| display_path(&root, cwd))
}

/// Repository roots found so far, by directory, so that the files of one directory (and the
/// directories of one tree) cost one look-up each.
#[derive(Default)]
struct Repositories {
    roots: std::collections::HashMap<PathBuf, Option<PathBuf>>,
}

impl Repositories {
    /// Paths deeper than this are not walked up any further (a bound, whatever the file system).
    const MAX_LEVELS: usize = 4096;

    fn root_of(&mut self, dir: &Path) -> Option<PathBuf> {
        // A directory that no longer resolves (removed during the run, a dangling link named on
        // the command line) is walked up as written.
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| normalize(dir));
        let mut visited: Vec<&Path> = Vec::new();
        let mut found = None;
        for ancestor in dir.ancestors().take(Self::MAX_LEVELS) {
            if let Some(known) = self.roots.get(ancestor) {
                found = known.clone();
                break;
            }
            visited.push(ancestor);
            if std::fs::symlink_metadata(ancestor.join(".git")).is_ok() {
                found = Some(ancestor.to_path_buf());
                break;
            }
        }
        for d in visited {
            self.roots.insert(d.to_path_buf(), found.clone());
        }
        found
    }
}

/// What a walk does with an entry, by its own file type (symlinks not followed).
enum Kind {
    File,
    Dir,
    Symlink,
    /// A FIFO, socket or device, with the counter it goes to.
    Special(fn(&mut Skipped)),
}

fn classify(t: std::fs::FileType) -> Kind {
    if t.is_file() {
        return Kind::File;
    }
    if t.is_dir() {
        return Kind::Dir;
    }
    if t.is_symlink() {
        return Kind::Symlink;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Kind::Special(|s| s.fifos += 1);
        }
        if t.is_socket() {
            return Kind::Special(|s| s.sockets += 1);
        }
    }
    Kind::Special(|s| s.devices += 1)
}

/// Why a path named on the command line cannot be opened: a plain "no such file or directory", or
/// what is wrong with the symlink it is.
fn missing_reason(path: &Path, err: &std::io::Error) -> String {
    let Ok(link) = std::fs::symlink_metadata(path) else {
        return "no such file or directory".to_string();
    };
    if !link.file_type().is_symlink() {
        return err.to_string();
    }
    let target = std::fs::read_link(path)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    if err.kind() == std::io::ErrorKind::NotFound {
        format!("a dangling symbolic link (to `{target}`, which does not exist)")
    } else {
        // ELOOP has no stable ErrorKind: say what the system says.
        format!("a symbolic link (to `{target}`) that cannot be followed: {err}")
    }
}

fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(walk_error_path),
        _ => None,
    }
}

fn walk_error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            walk_error_message(err)
        }
        ignore::Error::WithLineNumber { line, err } => {
            format!("line {line}: {}", walk_error_message(err))
        }
        ignore::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_to_cwd() {
        let cwd = Path::new("/repo");
        assert_eq!(
            display_path(Path::new("/repo/iam/a.json"), cwd),
            "iam/a.json"
        );
        assert_eq!(
            display_path(Path::new("/other/a.json"), cwd),
            "/other/a.json"
        );
        assert_eq!(display_path(Path::new("./k8s/sa.yaml"), cwd), "k8s/sa.yaml");
    }

    #[test]
    fn exclude_matches_parents() {
        let set = build_globset(&["vendor/**".into(), "charts/*/templates".into()]).unwrap();
        assert!(excluded(&set, "vendor/x/y.yaml"));
        assert!(excluded(&set, "charts/app/templates/sa.yaml"));
        assert!(!excluded(&set, "k8s/sa.yaml"));
    }
}
