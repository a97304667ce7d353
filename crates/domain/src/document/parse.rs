//! Reading a document from JSON text, with JSON-pointer errors.

use super::SchemaDocument;

/// Parse a document from JSON text, reporting where parsing failed as a
/// JSON pointer (for example `/tables/0/columns/1/nullable`).
///
/// ```
/// let err = schemaforge_domain::parse_document(r#"{"name": "x", "tables": [{"id": 1}]}"#).unwrap_err();
/// assert_eq!(err.path, "/tables/0/id");
/// assert!(schemaforge_domain::parse_document(r#"["x", null]"#).is_err());
/// ```
pub fn parse_document(json: &str) -> Result<SchemaDocument, DocumentParseError> {
    // serde would also read a struct from a JSON array; the format is an object.
    if !json.trim_start().starts_with('{') {
        let (line, column) = if json.trim().is_empty() { (0, 0) } else { (1, 1) };
        return Err(DocumentParseError {
            path: String::new(),
            message: "a schema document must be a JSON object".into(),
            line,
            column,
        });
    }
    let mut de = serde_json::Deserializer::from_str(json);
    let doc: SchemaDocument = serde_path_to_error_lite::deserialize(&mut de)?;
    de.end().map_err(|e| DocumentParseError {
        path: String::new(),
        message: serde_path_to_error_lite::strip_position(&e),
        line: e.line(),
        column: e.column(),
    })?;
    Ok(doc)
}

/// The document is not well-formed JSON of the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct DocumentParseError {
    /// JSON pointer of the element that failed, empty for the root or for syntax errors.
    pub path: String,
    /// What went wrong, from the JSON parser.
    pub message: String,
    /// 1-based line in the input (0 when unknown).
    pub line: usize,
    /// 1-based column in the input (0 when unknown).
    pub column: usize,
}

impl DocumentParseError {
    /// This error as a validation [`crate::Problem`] with code `INVALID_JSON`,
    /// so callers can report parse and validation failures the same way.
    pub fn to_problem(&self) -> crate::Problem {
        let at = if self.line > 0 { format!(" (line {}, column {})", self.line, self.column) } else { String::new() };
        crate::Problem {
            code: crate::Code::InvalidJson,
            severity: crate::Severity::Error,
            path: self.path.clone(),
            message: format!("{}{at}", self.message),
        }
    }
}

mod serde_path_to_error_lite {
    //! Thin adapter over `serde_path_to_error` producing JSON pointers.
    use super::DocumentParseError;

    pub(super) fn deserialize<'de, D, T>(de: D) -> Result<T, DocumentParseError>
    where
        D: serde::Deserializer<'de, Error = serde_json::Error>,
        T: serde::Deserialize<'de>,
    {
        serde_path_to_error::deserialize(de).map_err(|err| {
            let path = pointer(err.path());
            let inner = err.into_inner();
            DocumentParseError { path, message: strip_position(&inner), line: inner.line(), column: inner.column() }
        })
    }

    fn pointer(path: &serde_path_to_error::Path) -> String {
        use serde_path_to_error::Segment;
        let mut out = String::new();
        for seg in path.iter() {
            match seg {
                Segment::Seq { index } => {
                    out.push('/');
                    out.push_str(&index.to_string());
                }
                Segment::Map { key } => {
                    out.push('/');
                    out.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                Segment::Enum { .. } | Segment::Unknown => {}
            }
        }
        out
    }

    /// serde_json appends " at line L column C"; we report those separately.
    pub(super) fn strip_position(err: &serde_json::Error) -> String {
        let text = err.to_string();
        match text.rfind(" at line ") {
            Some(i) if err.line() > 0 => text[..i].to_string(),
            _ => text,
        }
    }
}
