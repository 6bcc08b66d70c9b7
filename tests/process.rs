//! The process as a whole: settable limits (`--jobs`, `--max-file-size`, `--max-nodes` and their
//! configuration keys), a closed stdout or stderr pipe, and the special files a walk meets
//! (symlinks, FIFOs, directories with a YAML name, unreadable files). Every run has a timeout, so a
//! hang fails the test instead of blocking CI.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::POLICY_WITHOUT_SUB;

const TIMEOUT: Duration = Duration::from_secs(60);

/// Run the binary in `dir` with stdin closed, killing it after [`TIMEOUT`].
fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_irsa-lint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "irsa-lint {args:?} did not finish in {TIMEOUT:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("role.json"), POLICY_WITHOUT_SUB).unwrap();
    dir
}

#[test]
fn out_of_range_limits_are_usage_errors() {
    let dir = scratch();
    let cases: &[(&[&str], &str)] = &[
        (
            &["-j", "0"],
            "`0` jobs is out of range: expected a whole number from 1 to 256",
        ),
        (&["--jobs", "257"], "`257` jobs is out of range"),
        (&["-j", "99999999999"], "`99999999999` jobs is out of range"),
        (
            &["-j", "many"],
            "invalid number of jobs `many`: expected a whole number from 1 to 256",
        ),
        (
            &["--max-file-size", "1x"],
            "invalid size `1x`: expected a number of bytes with an optional unit such as 512k, 16MiB",
        ),
        (
            &["--max-file-size", "0"],
            "invalid size `0`: must be at least 1",
        ),
        (
            &["--max-file-size", "99999999999999999999"],
            "invalid size `99999999999999999999`: too large",
        ),
        (
            &["--max-nodes", "5MiB"],
            "invalid count `5MiB`: expected a whole number with an optional k",
        ),
        (
            &["--max-nodes", "0"],
            "invalid count `0`: must be at least 1",
        ),
    ];
    for (args, message) in cases {
        let mut all = args.to_vec();
        all.extend(["--no-config", "role.json"]);
        let out = run_in(dir.path(), &all);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!err.contains("invalid digit"), "{args:?}: {err}");
    }
}

#[test]
fn help_shows_each_limits_default() {
    let out = run_in(Path::new("."), &["--help"]);
    let help = text(&out.stdout);
    for default in [
        "[default: number of cores, at most 256]",
        "[default: 16MiB]",
        "[default: 5000000]",
    ] {
        assert!(help.contains(default), "{default}: {help}");
    }
    // The help states the defaults the code uses.
    assert_eq!(irsa_lint::limits::DEFAULT_MAX_FILE_SIZE, 16 << 20);
    assert_eq!(irsa_lint::limits::DEFAULT_MAX_NODES, 5_000_000);
}

#[test]
fn limits_are_settable_and_named_by_their_findings() {
    let dir = scratch();
    let json_of = |out: &Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)))
    };
    let rejected = |out: &Output| -> Vec<String> {
        json_of(out)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "IRSA002")
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    let base = ["--no-config", "--format", "json", "role.json"];

    let out = run_in(dir.path(), &base);
    assert_eq!(rejected(&out), Vec::<String>::new());

    let out = run_in(dir.path(), &[&base[..], &["--max-nodes", "10"]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        rejected(&out),
        [
            "more than 10 nodes (keys and values), over the node limit: raise it with --max-nodes (or `max-nodes:` in .irsa-lint.yaml)"
        ]
    );

    let out = run_in(
        dir.path(),
        &[&base[..], &["--max-file-size", "1k"]].concat(),
    );
    let size = POLICY_WITHOUT_SUB.len();
    assert!(size > 100 && size < 1024);
    assert_eq!(rejected(&out), Vec::<String>::new());
    let out = run_in(
        dir.path(),
        &[&base[..], &["--max-file-size", "100"]].concat(),
    );
    assert_eq!(
        rejected(&out),
        [format!(
            "file is {size} bytes, over the 100 bytes size limit: raise it with --max-file-size (or `max-file-size:` in .irsa-lint.yaml)"
        )]
    );

    // The configuration's keys, with units; the command line wins over them.
    std::fs::write(
        dir.path().join(".irsa-lint.yaml"),
        "max-nodes: 10\nmax-file-size: 1KiB\njobs: 3\n",
    )
    .unwrap();
    let from_config = ["--format", "json", "role.json"];
    let out = run_in(dir.path(), &from_config);
    assert_eq!(rejected(&out).len(), 1, "{}", text(&out.stderr));
    assert!(rejected(&out)[0].contains("--max-nodes"));
    let out = run_in(
        dir.path(),
        &[&from_config[..], &["--max-nodes", "1k"]].concat(),
    );
    assert_eq!(rejected(&out), Vec::<String>::new());

    std::fs::write(
        dir.path().join(".irsa-lint.yaml"),
        "max-nodes: lots\nmax-file-size: 0\njobs: 1000\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &from_config);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        ".irsa-lint.yaml:1:12: error: `max-nodes`: invalid count `lots`: expected a whole number with an optional k (thousand), M (million) or G (billion) such as 500000, 500k, 5M\n\
         .irsa-lint.yaml:2:16: error: `max-file-size`: invalid size `0`: must be at least 1\n\
         .irsa-lint.yaml:3:7: error: `jobs`: `1000` jobs is out of range: expected a whole number from 1 to 256 (the default is one per core)\n"
    );
}

#[test]
fn many_jobs_on_few_files_is_quick_and_the_same() {
    let dir = scratch();
    let args = ["--no-config", "--format", "json", "role.json"];
    let one = run_in(dir.path(), &[&args[..], &["-j", "1"]].concat());
    let started = Instant::now();
    let many = run_in(dir.path(), &[&args[..], &["-j", "256"]].concat());
    // One file needs one thread: 256 asked for must not mean 256 started (and waited for).
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(one.stdout, many.stdout);
}

/// One YAML stream of `n` documents (over the size, 1 MiB, at which a stream is read piece by piece):
/// ServiceAccounts (every seventh with a malformed role ARN), the Deployments running as them,
/// ConfigMaps, and every fiftieth a trust policy admitting a namespace's every ServiceAccount.
fn big_stream(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let ns = format!("team-{:05}", i / 4);
        out.push_str("---\n");
        out.push_str(&match i % 4 {
            0 if i % 50 == 0 => format!(
                "Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n    Principal:\n      Federated: arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F\n    Action: sts:AssumeRoleWithWebIdentity\n    Condition:\n      StringLike:\n        oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:sub: system:serviceaccount:{ns}:*\n"
            ),
            0 => {
                let arn = if i % 7 == 0 {
                    format!("{ns}-api")
                } else {
                    format!("arn:aws:iam::483920175566:role/{ns}-api")
                };
                format!(
                    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: {ns}\n  annotations:\n    eks.amazonaws.com/role-arn: {arn}\n"
                )
            }
            1 => format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: {ns}\nspec:\n  template:\n    spec:\n      serviceAccountName: api\n      containers:\n        - name: api\n          image: example/api:{i}\n"
            ),
            2 => format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  app.conf: |\n    listen 0.0.0.0:8080\n"
            ),
            _ => format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: {ns}\n"),
        });
    }
    out
}

#[test]
fn a_big_stream_gives_the_same_output_at_any_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let stream = big_stream(9_000);
    assert!(stream.len() > 1 << 20, "{}", stream.len());
    std::fs::write(dir.path().join("all.yaml"), &stream).unwrap();
    let args = [
        "--no-config",
        "--fail-on",
        "never",
        "--format",
        "json:out.json",
        "--format",
        "sarif:out.sarif",
        "all.yaml",
    ];
    let mut outputs = Vec::new();
    for jobs in ["1", "2"] {
        let out = run_in(dir.path(), &[&args[..], &["--jobs", jobs]].concat());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let json = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
        let sarif = std::fs::read_to_string(dir.path().join("out.sarif")).unwrap();
        outputs.push((json, sarif));
    }
    // The stream's findings are there: malformed ARNs, and the wildcard trusts' ServiceAccounts.
    assert!(
        outputs[0].0.matches("\"rule\"").count() > 400,
        "{}",
        &outputs[0].0[..2000]
    );
    assert!(outputs[0] == outputs[1], "--jobs 1 and --jobs 2 differ");
}

#[test]
fn no_progress_line_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("all.yaml"), big_stream(2_000)).unwrap();
    for args in [
        &["--no-config", "all.yaml"][..],
        &["--no-config", "--format", "json", "all.yaml"][..],
        &["--no-config", "--quiet", "all.yaml"][..],
    ] {
        // The line would show from the start of the run; stderr is a pipe here.
        let out = Command::new(env!("CARGO_BIN_EXE_irsa-lint"))
            .args(args)
            .current_dir(dir.path())
            .env("IRSA_LINT_PROGRESS_AFTER_MS", "0")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("irsa-lint: files"), "{args:?}: {stderr}");
        assert!(!stderr.contains("linking"), "{args:?}: {stderr}");
        assert!(!stderr.contains('\r'), "{args:?}: {stderr}");
    }
    // On a terminal (`script` gives the run one, where it is installed) it does show.
    let script = Command::new("script")
        .args([
            "-qec",
            "irsa-lint --no-config --fail-on never -o /dev/null all.yaml",
            "/dev/null",
        ])
        .current_dir(dir.path())
        .env("IRSA_LINT_PROGRESS_AFTER_MS", "0")
        .env(
            "PATH",
            format!(
                "{}:{}",
                Path::new(env!("CARGO_BIN_EXE_irsa-lint"))
                    .parent()
                    .unwrap()
                    .display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .stdin(Stdio::null())
        .output();
    if let Some(out) = script.ok().filter(|o| o.status.success()) {
        let shown = text(&out.stdout);
        assert!(shown.contains("irsa-lint: files "), "{shown:?}");
        assert!(shown.ends_with("\r\x1b[K"), "{shown:?}");
    }
}

/// A trust policy with `n` statements lacking a `:sub` condition: `n` findings.
fn many_findings(n: usize) -> String {
    let statement = r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud": "sts.amazonaws.com"}}}"#;
    let statements = vec![statement; n].join(",\n");
    format!("{{\"Version\": \"2012-10-17\", \"Statement\": [\n{statements}\n]}}\n")
}

/// Run the binary with stdout (or stderr) connected to a pipe whose read end is already closed,
/// so every write to it fails with EPIPE, however fast or slow the child is. Returns the exit
/// status and the other stream.
fn run_with_closed(dir: &Path, args: &[&str], close_stderr: bool) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut command = Command::new(env!("CARGO_BIN_EXE_irsa-lint"));
    command.args(args).current_dir(dir).stdin(Stdio::null());
    if close_stderr {
        command.stderr(writer).stdout(Stdio::piped());
    } else {
        command.stdout(writer).stderr(Stdio::piped());
    }
    let mut child = command.spawn().expect("binary starts");
    // The parent's copy of the write end goes with `command`.
    drop(command);
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("irsa-lint {args:?} hung on a closed pipe");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let other = if close_stderr { out.stdout } else { out.stderr };
    (out.status.code(), text(&other))
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_with_its_usual_status() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("roles.json"), many_findings(500)).unwrap();
    let cases: &[(&[&str], i32)] = &[
        (&["--no-config", "roles.json"], 1),
        (&["--no-config", "--format", "json", "roles.json"], 1),
        (&["--no-config", "--fail-on", "never", "roles.json"], 0),
        (&["rules"], 0),
        (&["explain", "IRSA002"], 0),
        (&["--help"], 0),
    ];
    for (args, status) in cases {
        let (code, stderr) = run_with_closed(dir.path(), args, false);
        assert_eq!(code, Some(*status), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
    // A closed stderr: the configuration error cannot be shown, but the status is still 2 (not
    // a panic's 101), and stdout holds nothing.
    std::fs::write(dir.path().join("bad.yaml"), "jobs: 0\n").unwrap();
    let (code, stdout) = run_with_closed(dir.path(), &["--config", "bad.yaml", "roles.json"], true);
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    let (code, _) = run_with_closed(dir.path(), &["--no-config", "missing.json"], true);
    assert_eq!(code, Some(2));
}

#[cfg(unix)]
mod special_files {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn verbose_lists_what_the_walk_passed_over_and_why() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("sa.yaml"),
            "kind: ServiceAccount\nmetadata:\n  name: a\n",
        )
        .unwrap();
        std::fs::write(root.join("notes.txt"), "not linted").unwrap();
        std::fs::create_dir(root.join("vendor")).unwrap();
        std::fs::write(root.join("vendor/x.yaml"), "a: 1\n").unwrap();
        symlink("sa.yaml", root.join("link.yaml")).unwrap();
        let out = run_in(
            root,
            &["--no-config", "--verbose", "--exclude", "vendor", "."],
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("irsa-lint: skipped notes.txt: not a .yaml, .yml or .json file"),
            "{stderr}"
        );
        assert!(
            stderr.contains("irsa-lint: skipped link.yaml: a symbolic link: never followed"),
            "{stderr}"
        );
        assert!(
            stderr.contains("irsa-lint: skipped vendor: excluded by --exclude"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("sa.yaml:"),
            "the linted file is not listed: {stderr}"
        );
        // Without --verbose nothing is listed.
        let quiet = run_in(root, &["--no-config", "--exclude", "vendor", "."]);
        assert!(
            !text(&quiet.stderr).contains("skipped"),
            "{}",
            text(&quiet.stderr)
        );
    }

    fn summary(out: &Output) -> serde_json::Value {
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
        json["summary"].clone()
    }

    fn files_with(out: &Output, code: &str) -> Vec<String> {
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == code)
            .map(|d| d["file"].as_str().unwrap().to_string())
            .collect()
    }

    fn mkfifo(path: &Path) -> bool {
        Command::new("mkfifo")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success())
    }

    /// A tree with one of every special entry beside a policy with a finding.
    fn tree() -> tempfile::TempDir {
        let dir = scratch();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        symlink("../role.json", root.join("sub/link.json")).unwrap();
        symlink("nowhere.yaml", root.join("dangling.yaml")).unwrap();
        symlink("loop-b.yaml", root.join("loop-a.yaml")).unwrap();
        symlink("loop-a.yaml", root.join("loop-b.yaml")).unwrap();
        // A link back up: walking it would loop forever.
        symlink("..", root.join("sub/up")).unwrap();
        // A symlink to a file with another name is passed over uncounted, like any such file.
        symlink("role.json", root.join("notes.txt")).unwrap();
        assert!(mkfifo(&root.join("sub/pipe.yaml")), "mkfifo");
        assert!(mkfifo(&root.join("pipe.txt")), "mkfifo");
        // The socket file stays when the listener is dropped.
        std::os::unix::net::UnixListener::bind(root.join("sub/socket.json")).unwrap();
        // A directory with a YAML name is walked.
        std::fs::create_dir(root.join("dir.yaml")).unwrap();
        std::fs::write(root.join("dir.yaml/role.json"), POLICY_WITHOUT_SUB).unwrap();
        dir
    }

    #[test]
    fn a_walk_skips_and_counts_symlinks_and_fifos_and_lints_the_rest() {
        let dir = tree();
        let out = run_in(dir.path(), &["--no-config", "--format", "json", "."]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert_eq!(
            files_with(&out, "IRSA102"),
            ["dir.yaml/role.json", "role.json"]
        );
        let s = summary(&out);
        assert_eq!(s["files"], 2);
        assert_eq!(s["rejected"], 0);
        assert_eq!(
            s["skipped"],
            serde_json::json!({"symlinks": 5, "fifos": 1, "sockets": 1, "devices": 0})
        );
        let human = run_in(dir.path(), &["--no-config", "."]);
        let last = text(&human.stdout)
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .to_string();
        assert_eq!(
            last,
            "2 errors in 2 files (skipped: 5 symlinks, 1 FIFO, 1 socket)",
            "{}",
            text(&human.stdout)
        );
    }

    #[test]
    fn named_special_paths_are_followed_rejected_or_refused_with_the_reason() {
        let dir = tree();
        // A symlink named on the command line is followed.
        let out = run_in(
            dir.path(),
            &["--no-config", "--format", "json", "sub/link.json"],
        );
        assert_eq!(files_with(&out, "IRSA102"), ["sub/link.json"]);
        // A FIFO is never opened: IRSA002, counted as rejected, and the other file is linted.
        let out = run_in(
            dir.path(),
            &[
                "--no-config",
                "--format",
                "json",
                "sub/pipe.yaml",
                "role.json",
            ],
        );
        assert_eq!(files_with(&out, "IRSA002"), ["sub/pipe.yaml"]);
        assert_eq!(files_with(&out, "IRSA102"), ["role.json"]);
        assert_eq!(summary(&out)["rejected"], 1);
        let human = run_in(dir.path(), &["--no-config", "sub/pipe.yaml", "role.json"]);
        assert!(
            text(&human.stdout)
                .trim_end()
                .ends_with("2 errors in 2 files (1 rejected)"),
            "{}",
            text(&human.stdout)
        );
        let out = run_in(dir.path(), &["--no-config", "/dev/null"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stdout).contains("not a regular file"));
        // Dangling and looping symlinks cannot be linted: a usage error saying why.
        let out = run_in(dir.path(), &["--no-config", "dangling.yaml"]);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            text(&out.stderr),
            "irsa-lint: error: dangling.yaml: a dangling symbolic link (to `nowhere.yaml`, which does not exist)\n"
        );
        let out = run_in(dir.path(), &["--no-config", "loop-a.yaml"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).starts_with(
                "irsa-lint: error: loop-a.yaml: a symbolic link (to `loop-b.yaml`) that cannot be followed:"
            ),
            "{}",
            text(&out.stderr)
        );
        // A directory named like a YAML file is walked.
        let out = run_in(dir.path(), &["--no-config", "--format", "json", "dir.yaml"]);
        assert_eq!(files_with(&out, "IRSA102"), ["dir.yaml/role.json"]);
    }

    #[test]
    fn unreadable_files_are_rejected_and_the_rest_linted() {
        let dir = scratch();
        let locked = dir.path().join("locked.yaml");
        std::fs::write(&locked, "a: 1\n").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::File::open(&locked).is_ok() {
            // Running with the privilege to read it anyway (root in CI): nothing to test.
            return;
        }
        let out = run_in(dir.path(), &["--no-config", "--format", "json", "."]);
        assert_eq!(files_with(&out, "IRSA002"), ["locked.yaml"]);
        assert_eq!(files_with(&out, "IRSA102"), ["role.json"]);
        assert_eq!(summary(&out)["rejected"], 1);
    }
}
