//! Values with holes.
//!
//! A value in a policy is not always known where it is written: a Terraform reference
//! (`"${local.oidc_host}:sub"`), a CloudFormation intrinsic (`!Sub "system:serviceaccount:${Ns}:*"`)
//! or an envsubst variable is filled in at deploy time. Such a value is neither known nor wholly
//! unknown: it is a sequence of literal parts and unknown parts. Rules and the engine then report
//! only what holds whatever the unknown parts turn out to be: `system:serviceaccount:${ns}:*`
//! still has a wildcard name, and `"${issuer}:aud"` still is an `aud` key.
//!
//! A value read from plain JSON or YAML is wholly literal, and behaves exactly as a plain string.

use crate::source::Span;

/// One part of a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text known statically.
    Literal(String),
    /// Text filled in later; the expression as written (`local.oidc_host`), for messages.
    Unknown(String),
}

/// A part with the span it was written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValuePart {
    pub part: Part,
    pub span: Span,
}

/// A part of a value, borrowed: what [`Parts`] yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartRef<'a> {
    Literal(&'a str),
    Unknown(&'a str),
}

/// A value's parts, in order: one `Literal` for a wholly literal value.
#[derive(Clone, Copy, Debug)]
pub struct Parts<'a> {
    /// The value's text, for a wholly literal value.
    text: &'a str,
    /// The parts, when the value has an unknown one.
    parts: &'a [ValuePart],
}

impl<'a> Parts<'a> {
    /// The parts of a value whose `parts` list is `parts` (empty: wholly literal `text`).
    pub fn new(text: &'a str, parts: &'a [ValuePart]) -> Parts<'a> {
        Parts { text, parts }
    }

    /// Each part in order.
    pub fn iter(self) -> impl Iterator<Item = PartRef<'a>> {
        let literal = self.parts.is_empty().then_some(PartRef::Literal(self.text));
        literal
            .into_iter()
            .chain(self.parts.iter().map(|p| match &p.part {
                Part::Literal(text) => PartRef::Literal(text),
                Part::Unknown(expr) => PartRef::Unknown(expr),
            }))
    }

    /// Each part with the span it was written at; nothing for a wholly literal value, whose one
    /// part spans the whole value.
    pub fn spanned(self) -> impl Iterator<Item = (PartRef<'a>, Span)> {
        self.parts.iter().map(|p| {
            let part = match &p.part {
                Part::Literal(text) => PartRef::Literal(text),
                Part::Unknown(expr) => PartRef::Unknown(expr),
            };
            (part, p.span)
        })
    }

    /// True when no part is unknown.
    pub fn is_literal(self) -> bool {
        !self.iter().any(|p| matches!(p, PartRef::Unknown(_)))
    }

    /// True when the value has an unknown part and no literal text: nothing about it is known.
    pub fn is_wholly_unknown(self) -> bool {
        !self.is_literal()
            && self
                .iter()
                .all(|p| !matches!(p, PartRef::Literal(text) if !text.is_empty()))
    }

    /// The literal text before the first unknown part (the whole text of a literal value): every
    /// value the parts can take starts with it.
    pub fn known_prefix(self) -> &'a str {
        match self.iter().next() {
            Some(PartRef::Literal(text)) => text,
            _ => "",
        }
    }

    /// The literal text after the last unknown part: every value the parts can take ends with it.
    pub fn known_suffix(self) -> &'a str {
        match self.iter().last() {
            Some(PartRef::Literal(text)) => text,
            _ => "",
        }
    }

    /// True when a literal part holds `c` (a `*` written in the value, not one an unknown part
    /// may bring).
    pub fn literal_contains(self, c: char) -> bool {
        self.iter()
            .any(|p| matches!(p, PartRef::Literal(text) if text.contains(c)))
    }

    /// The claim of a condition key `<issuer>:<claim>` (`sub`, `aud`, `amr`): the text after the
    /// last `:` of the key's last literal part, provided no unknown part follows it. So
    /// `"${local.oidc_host}:sub"` has claim `sub` though its issuer is unknown; `"${key}"` has
    /// none.
    pub fn claim(self) -> Option<&'a str> {
        let PartRef::Literal(last) = self.iter().last()? else {
            return None;
        };
        let (_, claim) = last.rsplit_once(':')?;
        Some(claim)
    }
}

/// The text of `parts` as written: literal text, and each unknown part as `${expression}`.
pub fn written(parts: &[ValuePart]) -> String {
    parts
        .iter()
        .map(|p| match &p.part {
            Part::Literal(text) => text.clone(),
            Part::Unknown(expr) => format!("${{{expr}}}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(spec: &[(bool, &str)]) -> Vec<ValuePart> {
        spec.iter()
            .map(|&(known, text)| ValuePart {
                part: if known {
                    Part::Literal(text.to_string())
                } else {
                    Part::Unknown(text.to_string())
                },
                span: Span::default(),
            })
            .collect()
    }

    #[test]
    fn a_literal_value_is_one_literal_part() {
        let p = Parts::new("system:serviceaccount:prod:api", &[]);
        assert!(p.is_literal() && !p.is_wholly_unknown());
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            [PartRef::Literal("system:serviceaccount:prod:api")]
        );
        assert_eq!(p.known_prefix(), "system:serviceaccount:prod:api");
        assert_eq!(p.known_suffix(), "system:serviceaccount:prod:api");
        assert_eq!(p.claim(), Some("api"));
        assert!(!Parts::new("", &[]).is_wholly_unknown());
    }

    #[test]
    fn prefix_suffix_and_wildcards_of_a_value_with_holes() {
        let list = parts(&[
            (true, "system:serviceaccount:"),
            (false, "var.ns"),
            (true, ":*"),
        ]);
        let text = written(&list);
        assert_eq!(text, "system:serviceaccount:${var.ns}:*");
        let p = Parts::new(&text, &list);
        assert!(!p.is_literal() && !p.is_wholly_unknown());
        assert_eq!(p.known_prefix(), "system:serviceaccount:");
        assert_eq!(p.known_suffix(), ":*");
        assert!(p.literal_contains('*'));
        assert!(!p.literal_contains('?'));
        let list = parts(&[(false, "var.subject")]);
        let p = Parts::new("${var.subject}", &list);
        assert!(p.is_wholly_unknown());
        assert_eq!((p.known_prefix(), p.known_suffix()), ("", ""));
        // A `*` the unknown part may hold is not a literal one.
        assert!(!p.literal_contains('*'));
    }

    #[test]
    fn claim_of_a_key_with_an_unknown_issuer() {
        let list = parts(&[(false, "local.oidc_host"), (true, ":sub")]);
        assert_eq!(Parts::new("", &list).claim(), Some("sub"));
        let list = parts(&[
            (true, "oidc.eks.x.amazonaws.com/id/"),
            (false, "id"),
            (true, ":aud"),
        ]);
        assert_eq!(Parts::new("", &list).claim(), Some("aud"));
        // The claim itself unknown, or nothing after the issuer: no claim.
        let list = parts(&[(false, "local.oidc_host"), (true, ":"), (false, "claim")]);
        assert_eq!(Parts::new("", &list).claim(), None);
        let list = parts(&[(false, "local.key")]);
        assert_eq!(Parts::new("", &list).claim(), None);
    }
}
