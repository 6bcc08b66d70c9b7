//! The run's settable limits (`--jobs`, `--max-file-size`, `--max-nodes`) and the one parser of
//! their values, shared by the command line and `.irsa-lint.yaml` so that both accept the same
//! text and give the same message for a mistake.
//!
//! * A **size** (`--max-file-size`) is a whole number of bytes with an optional unit. Units are
//!   case-insensitive: `k`, `Ki`, `KiB` are 1024; `kB` is 1000; `M`, `Mi`, `MiB` are 1024²; `MB`
//!   is 10⁶; `G`, `Gi`, `GiB` are 1024³; `GB` is 10⁹; `B` (or nothing) is bytes. A bare letter is
//!   binary because file sizes are (`ls -h`, `du -h`); the SI `kB`/`MB`/`GB` are honoured for those
//!   who mean them. Fractions (`1.5M`) are not accepted: write `1536k`.
//! * A **count** (`--max-nodes`) is a whole number with an optional decimal multiplier (`k`
//!   thousand, `M` million, `G` billion; case-insensitive), as counts are spoken: `500k`, `5M`.
//! * **Jobs** (`-j`) is a whole number from 1 to [`MAX_JOBS`].
//!
//! `_` may separate digits (`5_000_000`), and a space may stand between the number and the unit
//! (`16 MiB`). Zero and values that overflow are errors.

/// The most worker threads `--jobs` accepts. More threads than this only cost memory and start-up
/// time (each has its own stack) on any machine irsa-lint runs on; the default is capped here too.
pub const MAX_JOBS: usize = 256;

/// Files larger than this are not read (IRSA002), unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The most nodes (keys and values) one file may have, unless `--max-nodes` says otherwise.
pub const DEFAULT_MAX_NODES: usize = 5_000_000;

/// The deepest nesting of sequences and mappings parsed. Fixed: no trust policy or manifest comes
/// near it, and the JSON parser recurses, so raising it would let input exhaust the stack.
pub const MAX_DEPTH: usize = 256;

const SIZE_EXPECTED: &str = "expected a number of bytes with an optional unit such as 512k, 16MiB";
const COUNT_EXPECTED: &str = "expected a whole number with an optional k (thousand), M (million) or G (billion) such as 500000, 500k, 5M";

/// The default number of worker threads: one per core, at most [`MAX_JOBS`].
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_JOBS)
}

/// Split `text` into its digits (with `_` removed) and its unit, or None when it does not start
/// with a digit or its digits are malformed (`1__0`, a trailing `_`).
fn split_number(text: &str) -> Option<(String, &str)> {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    if !number.starts_with(|c: char| c.is_ascii_digit())
        || number.ends_with('_')
        || number.contains("__")
    {
        return None;
    }
    Some((number.replace('_', ""), unit.trim_start()))
}

/// `number × multiplier`, or the overflow message.
fn scale(text: &str, digits: &str, multiplier: u64, what: &str) -> Result<u64, String> {
    let overflow = || format!("invalid {what} `{text}`: too large");
    let n: u64 = digits.parse().map_err(|_| overflow())?;
    let value = n.checked_mul(multiplier).ok_or_else(overflow)?;
    if value == 0 {
        return Err(format!("invalid {what} `{text}`: must be at least 1"));
    }
    Ok(value)
}

/// Parse a size in bytes: `500000`, `512k`, `16MiB`, `1GB` (see the module documentation).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let invalid = || format!("invalid size `{text}`: {SIZE_EXPECTED}");
    let (digits, unit) = split_number(text).ok_or_else(invalid)?;
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "ki" | "kib" => 1 << 10,
        "kb" => 1_000,
        "m" | "mi" | "mib" => 1 << 20,
        "mb" => 1_000_000,
        "g" | "gi" | "gib" => 1 << 30,
        "gb" => 1_000_000_000,
        _ => return Err(invalid()),
    };
    scale(text, &digits, multiplier, "size")
}

/// Parse a count: `500000`, `500k`, `5M` (see the module documentation).
pub fn parse_count(text: &str) -> Result<u64, String> {
    let invalid = || format!("invalid count `{text}`: {COUNT_EXPECTED}");
    let (digits, unit) = split_number(text).ok_or_else(invalid)?;
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" => 1,
        "k" => 1_000,
        "m" => 1_000_000,
        "g" => 1_000_000_000,
        _ => return Err(invalid()),
    };
    scale(text, &digits, multiplier, "count")
}

/// Parse a node count for `--max-nodes`.
pub fn parse_max_nodes(text: &str) -> Result<usize, String> {
    let n = parse_count(text)?;
    usize::try_from(n).map_err(|_| format!("invalid count `{text}`: too large"))
}

/// Parse `--jobs`: a whole number from 1 to [`MAX_JOBS`].
pub fn parse_jobs(text: &str) -> Result<usize, String> {
    let expected = format!("expected a whole number from 1 to {MAX_JOBS}");
    let digits = split_number(text)
        .filter(|(_, unit)| unit.is_empty())
        .map(|(d, _)| d)
        .ok_or_else(|| format!("invalid number of jobs `{text}`: {expected}"))?;
    match digits.parse::<u64>() {
        Ok(n) if (1..=MAX_JOBS as u64).contains(&n) => Ok(n as usize),
        _ => Err(format!(
            "`{text}` jobs is out of range: {expected} (the default is one per core)"
        )),
    }
}

/// A size for messages and help: `16 MiB`, `1000 kB`... exact, in the largest unit that divides
/// it, else in bytes.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (1 << 30, "GiB"),
        (1_000_000_000, "GB"),
        (1 << 20, "MiB"),
        (1_000_000, "MB"),
        (1 << 10, "KiB"),
        (1_000, "kB"),
    ];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    match bytes {
        1 => "1 byte".to_string(),
        _ => format!("{bytes} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_and_decimal_units() {
        let ok = |t: &str| parse_size(t).unwrap();
        assert_eq!(ok("500000"), 500_000);
        assert_eq!(ok("1_000_000"), 1_000_000);
        assert_eq!(ok("1k"), 1024);
        assert_eq!(ok("1K"), 1024);
        assert_eq!(ok("1KiB"), 1024);
        assert_eq!(ok("1ki"), 1024);
        assert_eq!(ok("1kB"), 1000);
        assert_eq!(ok("1KB"), 1000);
        assert_eq!(ok("16MiB"), 16 << 20);
        assert_eq!(ok("16 MiB"), 16 << 20);
        assert_eq!(ok("16m"), 16 << 20);
        assert_eq!(ok("2MB"), 2_000_000);
        assert_eq!(ok("1G"), 1 << 30);
        assert_eq!(ok("1GiB"), 1 << 30);
        assert_eq!(ok("3GB"), 3_000_000_000);
        assert_eq!(ok("7B"), 7);
    }

    #[test]
    fn bad_sizes_say_what_is_expected() {
        let expected = "expected a number of bytes with an optional unit such as 512k, 16MiB";
        for bad in [
            "1x", "", "k", "1.5M", "-1", "1 2", "1__0", "1_", "_1", "16 MiBs", "1Tb",
        ] {
            assert_eq!(
                parse_size(bad).unwrap_err(),
                format!("invalid size `{bad}`: {expected}"),
                "{bad}"
            );
        }
        assert_eq!(
            parse_size("0").unwrap_err(),
            "invalid size `0`: must be at least 1"
        );
        assert_eq!(
            parse_size("0k").unwrap_err(),
            "invalid size `0k`: must be at least 1"
        );
        assert_eq!(
            parse_size("99999999999999999999").unwrap_err(),
            "invalid size `99999999999999999999`: too large"
        );
        assert_eq!(
            parse_size("17179869184G").unwrap_err(),
            "invalid size `17179869184G`: too large"
        );
    }

    #[test]
    fn counts_take_decimal_multipliers() {
        assert_eq!(parse_count("500000").unwrap(), 500_000);
        assert_eq!(parse_count("500k").unwrap(), 500_000);
        assert_eq!(parse_count("500K").unwrap(), 500_000);
        assert_eq!(parse_count("5M").unwrap(), 5_000_000);
        assert_eq!(parse_count("5_000_000").unwrap(), 5_000_000);
        assert_eq!(parse_count("2g").unwrap(), 2_000_000_000);
        assert!(
            parse_count("5MiB")
                .unwrap_err()
                .starts_with("invalid count `5MiB`: expected a whole number")
        );
        assert_eq!(
            parse_count("0").unwrap_err(),
            "invalid count `0`: must be at least 1"
        );
        assert!(parse_count("99999999999999999999").is_err());
    }

    #[test]
    fn jobs_are_bounded() {
        assert_eq!(parse_jobs("1").unwrap(), 1);
        assert_eq!(parse_jobs("256").unwrap(), 256);
        for bad in ["0", "257", "99999999999", "99999999999999999999999"] {
            assert_eq!(
                parse_jobs(bad).unwrap_err(),
                format!(
                    "`{bad}` jobs is out of range: expected a whole number from 1 to 256 (the default is one per core)"
                )
            );
        }
        assert_eq!(
            parse_jobs("two").unwrap_err(),
            "invalid number of jobs `two`: expected a whole number from 1 to 256"
        );
        assert!(parse_jobs("2k").is_err());
        assert!((1..=MAX_JOBS).contains(&default_jobs()));
    }

    #[test]
    fn sizes_format_exactly() {
        assert_eq!(format_size(DEFAULT_MAX_FILE_SIZE), "16 MiB");
        assert_eq!(format_size(1024), "1 KiB");
        assert_eq!(format_size(1000), "1 kB");
        assert_eq!(format_size(2_000_000), "2 MB");
        assert_eq!(format_size(1500), "1500 bytes");
        assert_eq!(format_size(1), "1 byte");
        for n in [1, 1000, 1024, 1536, 16 << 20, 3_000_000_000] {
            assert_eq!(
                parse_size(&format_size(n).replace(" bytes", "").replace(" byte", "")).unwrap(),
                n
            );
        }
    }
}
