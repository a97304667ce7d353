//! Splitting a script into statements with PostgreSQL's own scanner, so a
//! semicolon inside a string, a dollar-quoted body or a comment is not a
//! statement's end.

use crate::Error;

/// One statement of a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptStatement<'a> {
    /// Byte offset of the statement in the script.
    pub offset: usize,
    /// Its text, from its first token to its end (without the `;`).
    pub text: &'a str,
}

/// The statements of `script`, in order; statements that hold only
/// comments or blanks are left out.
///
/// ```
/// let s = schemaforge_pgparse::split_script("CREATE TABLE a (x text DEFAULT ';');\n-- done\nSELECT $$;$$;").unwrap();
/// assert_eq!(s.iter().map(|s| s.text).collect::<Vec<_>>(), ["CREATE TABLE a (x text DEFAULT ';')", "SELECT $$;$$"]);
/// assert_eq!(s[1].offset, 45);
/// ```
pub fn split_script(script: &str) -> Result<Vec<ScriptStatement<'_>>, Error> {
    let base = script.as_ptr() as usize;
    let parts = pg_query::split_with_scanner(script).map_err(|e| Error::Syntax(e.to_string()))?;
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        let start = (part.as_ptr() as usize).saturating_sub(base);
        let trimmed = skip_blank_and_comments(part);
        if trimmed.trim().is_empty() {
            continue;
        }
        let offset = start + (part.len() - trimmed.len());
        out.push(ScriptStatement { offset, text: trimmed.trim_end() });
    }
    Ok(out)
}

/// `text` from its first token on: leading blanks, `--` lines and `/* */`
/// comments skipped.
fn skip_blank_and_comments(mut text: &str) -> &str {
    loop {
        let t = text.trim_start();
        if let Some(rest) = t.strip_prefix("--") {
            text = rest.find('\n').map_or("", |i| &rest[i + 1..]);
        } else if let Some(rest) = t.strip_prefix("/*") {
            text = rest.find("*/").map_or("", |i| &rest[i + 2..]);
        } else {
            return t;
        }
    }
}
