//! PostgreSQL's printing of stored expressions, made to parse back to the
//! same tree.
//!
//! An array coerced as a whole (`ArrayCoerceExpr`: `col IN ('a', 'b')` on a
//! `varchar` column) prints as `(ARRAY['a'::character varying])::text[]`,
//! which PostgreSQL parses back as a cast of each element instead: the
//! stored expression would change on every dump and restore. Casting the
//! array to its own type first, `(ARRAY[...]::character varying[])::text[]`,
//! parses back to the whole-array coercion, which prints as the original.

/// Byte index just past the quoted token starting at `i` (`'...'` or `"..."`).
fn skip_quoted(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == q {
            if b.get(j + 1) == Some(&q) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

/// The index of the bracket closing the one opened just before `start`.
fn closing(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 1i32;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'\'' | b'"' => {
                i = skip_quoted(b, i);
                continue;
            }
            b'(' | b'[' => depth += 1,
            b')' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The type the first element of `elements` is cast to (`character varying`
/// in `'a'::character varying, 'b'::...`).
fn first_element_type(elements: &str) -> Option<&str> {
    let b = elements.as_bytes();
    let (mut i, mut depth, mut cast) = (0, 0i32, None);
    while i < b.len() {
        match b[i] {
            b'\'' | b'"' => {
                i = skip_quoted(b, i);
                continue;
            }
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b',' if depth == 0 => break,
            b':' if depth == 0 && b.get(i + 1) == Some(&b':') => {
                cast = Some(i + 2);
                i += 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let ty = elements.get(cast?..i)?.trim();
    (!ty.is_empty() && !ty.ends_with(']')).then_some(ty)
}

/// `text` with every `ARRAY[...]::T[]` or `(ARRAY[...])::T[]` whose
/// elements are cast written with `::E[]` after the `]`.
pub(crate) fn restore_array_casts(text: &str) -> String {
    const OPEN: &str = "ARRAY[";
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            b'\'' | b'"' => {
                i = skip_quoted(b, i);
                continue;
            }
            b'A' if text[i..].starts_with(OPEN)
                && (i == 0 || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'_') =>
            {
                let inner = i + OPEN.len();
                if let Some(close) = closing(b, inner) {
                    let after = &text[close + 1..];
                    let wrapped = i > 0 && b[i - 1] == b'(' && after.starts_with(")::");
                    let elements = &text[inner..close];
                    if wrapped || after.starts_with("::") {
                        if let Some(ty) = first_element_type(elements) {
                            out.push_str(&text[copied..inner]);
                            out.push_str(&restore_array_casts(elements));
                            out.push_str(&format!("]::{ty}[]"));
                            copied = close + 1;
                            i = close + 1;
                            continue;
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_array_coercions_get_their_own_type_first() {
        assert_eq!(
            restore_array_casts(
                "(route)::text = ANY ((ARRAY['oral'::character varying, 'x]'::character varying])::text[])"
            ),
            "(route)::text = ANY ((ARRAY['oral'::character varying, 'x]'::character varying]::character varying[])::text[])"
        );
        assert_eq!(
            restore_array_casts("route::text = ANY (ARRAY['a'::character varying]::text[])"),
            "route::text = ANY (ARRAY['a'::character varying]::character varying[]::text[])"
        );
        // Multi-byte text around and inside (every slice is at an ASCII byte).
        assert_eq!(
            restore_array_casts("'é' = ANY ((ARRAY['é'::character varying, 'ü'::character varying])::text[]) AND ç"),
            "'é' = ANY ((ARRAY['é'::character varying, 'ü'::character varying]::character varying[])::text[]) AND ç"
        );
        // Nothing else changes: no element cast, no outer cast, quoted text.
        for same in [
            "a = ANY (ARRAY[1, 2])",
            "(ARRAY[1, 2])::bigint[]",
            "MYARRAY['a'::text]::x[]",
            "'(ARRAY[''a''::text])::x[]'",
            "f(ARRAY['a'::text])",
        ] {
            assert_eq!(restore_array_casts(same), same);
        }
    }
}
