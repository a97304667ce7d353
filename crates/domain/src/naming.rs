//! Deterministic names for constraints and indexes the designer did not name.
//!
//! Follows PostgreSQL's own conventions (`orders_pkey`, `orders_email_key`,
//! `order_items_order_id_fkey`, `orders_status_idx`, `orders_total_check`),
//! including its truncation rule: when the parts would exceed 63 bytes, the
//! longer of the table and column parts is shortened first. Collisions get a
//! number after the label (`orders_check1`), exactly as PostgreSQL would pick.

use crate::ident::MAX_IDENTIFIER_BYTES;
use std::collections::HashSet;

/// Truncate `s` to at most `max` bytes on a character boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// PostgreSQL's `makeObjectName`: `name1[_name2]_label`, within 63 bytes.
///
/// ```
/// use schemaforge_domain::naming::make_object_name;
/// assert_eq!(make_object_name("orders", Some("customer_id"), "fkey"), "orders_customer_id_fkey");
/// assert_eq!(make_object_name(&"t".repeat(70), None, "pkey").len(), 63);
/// ```
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let avail = MAX_IDENTIFIER_BYTES.saturating_sub(overhead);
    let mut len1 = name1.len();
    let mut len2 = name2.map_or(0, str::len);
    while len1 + len2 > avail {
        if len1 > len2 {
            len1 -= 1;
        } else {
            len2 -= 1;
        }
    }
    let mut out = clip(name1, len1).to_string();
    if let Some(n2) = name2 {
        out.push('_');
        out.push_str(clip(n2, len2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// Names already taken in one namespace.
#[derive(Debug, Default, Clone)]
pub(crate) struct Namespace {
    taken: HashSet<String>,
}

impl Namespace {
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    pub fn insert(&mut self, name: &str) -> bool {
        self.taken.insert(name.to_string())
    }
}

/// PostgreSQL's `ChooseRelationName`: the first of `label`, `label1`,
/// `label2`, ... whose name is free in every namespace given.
pub(crate) fn choose_name(name1: &str, name2: Option<&str>, label: &str, spaces: &[&Namespace]) -> String {
    let mut n = 0u32;
    loop {
        let numbered = if n == 0 { label.to_string() } else { format!("{label}{n}") };
        let candidate = make_object_name(name1, name2, &numbered);
        if spaces.iter().all(|s| !s.contains(&candidate)) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_the_longer_part_first_like_postgres() {
        let table = "a".repeat(40);
        let col = "b".repeat(40);
        let name = make_object_name(&table, Some(&col), "fkey");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_{}_fkey", "a".repeat(29), "b".repeat(28)));
    }

    #[test]
    fn never_splits_a_character() {
        let name = make_object_name(&"é".repeat(40), None, "pkey");
        assert!(name.len() <= 63);
        assert!(name.ends_with("_pkey"));
    }

    #[test]
    fn numbers_collisions() {
        let mut ns = Namespace::default();
        ns.insert("t_check");
        ns.insert("t_check1");
        assert_eq!(choose_name("t", None, "check", &[&ns]), "t_check2");
    }
}
