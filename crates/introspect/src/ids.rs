//! Ids chosen from names, so that importing the same database twice gives
//! the same document: a prefix for the kind, then the qualified name with
//! `\` and `.` escaped (so `a.b` in `c` and `a` in `b.c` differ). An id
//! that would pass the document's 200-byte limit is the prefix and a hash
//! of the name instead.

use std::collections::HashSet;

/// The longest id the document accepts.
const MAX_ID_BYTES: usize = 200;

/// Hands out unique ids.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    taken: HashSet<String>,
}

fn escape(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for ch in part.chars() {
        if ch == '\\' || ch == '.' {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// FNV-1a, 64 bits: stable across runs and platforms.
fn hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Ids {
    /// A new id of `kind` for the object named by `parts` (outermost first).
    pub(crate) fn make(&mut self, kind: &str, parts: &[&str]) -> String {
        let name: Vec<String> = parts.iter().map(|p| escape(p)).collect();
        let mut id = format!("{kind}:{}", name.join("."));
        if id.len() > MAX_ID_BYTES || id.chars().any(char::is_control) {
            id = format!("{kind}:#{:016x}", hash(&name.join(".")));
        }
        let mut candidate = id.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{id}~{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_dots_do_not_collide() {
        let mut ids = Ids::default();
        let a = ids.make("t", &["a.b", "c"]);
        let b = ids.make("t", &["a", "b.c"]);
        assert_eq!(a, "t:a\\.b.c");
        assert_eq!(b, "t:a.b\\.c");
    }

    #[test]
    fn long_names_hash_and_repeats_are_numbered() {
        let mut ids = Ids::default();
        let long = "x".repeat(63);
        let id = ids.make("c", &[&long, &long, &long, &long]);
        assert!(id.len() <= MAX_ID_BYTES && id.starts_with("c:#"));
        assert_eq!(ids.make("t", &["a"]), "t:a");
        assert_eq!(ids.make("t", &["a"]), "t:a~2");
        assert!(!ids.make("t", &["new\nline"]).contains('\n'));
    }
}
