//! Three-valued (Kleene) truth values.
//!
//! A policy read from Terraform or CloudFormation may hold values nobody can know statically
//! (`${var.namespace}`, `!Sub "${Ns}"`). A comparison against such a value is neither true nor
//! false: it is [`Tri::Unknown`]. Kleene's strong logic keeps every conclusion that holds whatever
//! the unknown value turns out to be: `False AND Unknown` is `False`, `True OR Unknown` is `True`.

use std::ops::Not;

/// True, false, or not decidable statically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    /// Kleene AND: any `False` wins, else any `Unknown`, else `True`.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::True,
        }
    }

    /// Kleene OR: any `True` wins, else any `Unknown`, else `False`.
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::False,
        }
    }

    /// AND over an iterator; `True` for an empty one (the neutral element).
    pub fn all(values: impl IntoIterator<Item = Tri>) -> Tri {
        let mut acc = Tri::True;
        for v in values {
            acc = acc.and(v);
            if acc == Tri::False {
                break;
            }
        }
        acc
    }

    /// OR over an iterator; `False` for an empty one (the neutral element).
    pub fn any(values: impl IntoIterator<Item = Tri>) -> Tri {
        let mut acc = Tri::False;
        for v in values {
            acc = acc.or(v);
            if acc == Tri::True {
                break;
            }
        }
        acc
    }

    pub fn is_true(self) -> bool {
        self == Tri::True
    }

    pub fn is_false(self) -> bool {
        self == Tri::False
    }

    pub fn is_unknown(self) -> bool {
        self == Tri::Unknown
    }

    /// True unless definitely false: "might hold" (what a "could this be admitted?" check wants).
    pub fn is_possible(self) -> bool {
        self != Tri::False
    }
}

impl Not for Tri {
    type Output = Tri;

    /// Kleene NOT: swaps `True` and `False`, keeps `Unknown`.
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

#[cfg(test)]
mod tests {
    use super::Tri::{self, *};

    const ALL: [Tri; 3] = [True, False, Unknown];

    #[test]
    fn kleene_tables() {
        assert_eq!(True.and(Unknown), Unknown);
        assert_eq!(False.and(Unknown), False);
        assert_eq!(True.or(Unknown), True);
        assert_eq!(False.or(Unknown), Unknown);
        assert_eq!(!Unknown, Unknown);
        assert_eq!(!True, False);
        for a in ALL {
            for b in ALL {
                // De Morgan holds in Kleene logic.
                assert_eq!(!(a.and(b)), (!a).or(!b));
                assert_eq!(a.and(b), b.and(a));
                assert_eq!(a.or(b), b.or(a));
            }
        }
    }

    #[test]
    fn folds() {
        assert_eq!(Tri::all([]), True);
        assert_eq!(Tri::any([]), False);
        assert_eq!(Tri::all([True, Unknown, True]), Unknown);
        assert_eq!(Tri::all([Unknown, False]), False);
        assert_eq!(Tri::any([False, Unknown]), Unknown);
        assert_eq!(Tri::any([Unknown, True]), True);
        assert_eq!(Tri::from(true), True);
        assert!(Unknown.is_possible() && !False.is_possible());
    }
}
