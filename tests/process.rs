//! The process as a whole: settable limits (`--jobs`, `--max-file-size`, `--max-nodes` and their
//! configuration keys) and a closed stdout or stderr pipe. Every run has a timeout, so a hang fails
//! the test instead of blocking CI.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A trust policy with one known defect (IRSA102: no `:sub` condition).
const POLICY_WITHOUT_SUB: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud": "sts.amazonaws.com"}}
  }]
}
"#;

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
