//! Texts: near-miss suggestions and lists in messages.

/// Levenshtein distance over characters, with adjacent transpositions counted as one edit
/// (`Strnig` → `String`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    edit_distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`edit_distance`] when it is at most `limit`, else None, found without finishing the table
/// when it cannot be: the distance is at least the difference in length, and once two
/// consecutive rows hold nothing within `limit` no later row can (a cell comes from the row above,
/// its left neighbour, or, for a transposition, two rows up plus one).
pub fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut prev_over = false;
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        let over = cur.iter().all(|&d| d > limit);
        if over && prev_over {
            return None;
        }
        prev_over = over;
        prev2 = std::mem::replace(&mut prev, cur);
    }
    Some(prev[b.len()]).filter(|&d| d <= limit)
}

/// How many names a message lists before it says "and N more".
pub const MAX_LISTED: usize = 4;

/// "`a`, `b`, `c` and 2 more".
pub fn quote_list<S: AsRef<str>>(items: &[S], max: usize) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(max)
        .map(|s| format!("`{}`", s.as_ref()))
        .collect();
    let rest = items.len().saturating_sub(max);
    match (shown.len(), rest) {
        (0, _) => String::new(),
        (1, 0) => shown[0].clone(),
        (n, 0) => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
        (_, rest) => format!("{} and {rest} more", shown.join(", ")),
    }
}

/// A name close to `name` among `candidates` (edit distance ≤ 2, and less than half the name), for
/// "did you mean" hints.
pub fn similar_name<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 2).clamp(1, 2);
    candidates
        .filter(|c| *c != name)
        .filter_map(|c| Some((edit_distance_within(name, c, limit)?, c)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_quoted_and_capped() {
        assert_eq!(quote_list(&["a"], 3), "`a`");
        assert_eq!(quote_list(&["a", "b"], 3), "`a` and `b`");
        assert_eq!(quote_list(&["a", "b", "c"], 3), "`a`, `b` and `c`");
        assert_eq!(quote_list(&["a", "b", "c", "d"], 2), "`a`, `b` and 2 more");
    }

    #[test]
    fn bounded_distance_is_the_distance_within_the_limit() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "bca",
            "api",
            "apis",
            "payments-api",
            "payment-api",
            "worker",
            "wokrer",
            "ns-000001-app",
            "trust-000001-x",
        ];
        for a in words {
            for b in words {
                let d = edit_distance(a, b);
                for limit in 0..4 {
                    let expected = (d <= limit).then_some(d);
                    assert_eq!(
                        edit_distance_within(a, b, limit),
                        expected,
                        "{a:?} {b:?} {limit}"
                    );
                }
            }
        }
    }

    #[test]
    fn similar_names() {
        let names = ["api", "payments-api", "worker"];
        assert_eq!(
            similar_name("payment-api", names.iter().copied()),
            Some("payments-api")
        );
        assert_eq!(similar_name("batch", names.iter().copied()), None);
    }
}
