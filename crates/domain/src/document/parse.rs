//! Reading a document from JSON text, with JSON-pointer errors.

use super::SchemaDocument;

/// Parse a document from JSON text, reporting where parsing failed as a
/// JSON pointer (for example `/tables/0/columns/1/nullable`).
///
/// ```
/// let err = schemaforge_domain::parse_document(r#"{"name": "x", "tables": [{"id": 1}]}"#).unwrap_err();
/// assert_eq!(err.path, "/tables/0/id");
/// assert!(schemaforge_domain::parse_document(r#"["x", null]"#).is_err());
/// let nested = r#"{"name": "x", "tables": [["t", "t"]]}"#;
/// assert_eq!(schemaforge_domain::parse_document(nested).unwrap_err().path, "/tables/0");
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
    // serde also reads a nested struct from an array (by position): refuse
    // that where the format has an object, at its JSON pointer.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
        let schema = document_schema();
        let mut path = String::new();
        if !objects_only(&value, schema, schema, &mut path) {
            return Err(DocumentParseError {
                path,
                message: "invalid type: an array, expected an object".into(),
                line: 0,
                column: 0,
            });
        }
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

/// The document's JSON Schema, as a JSON value (made once).
fn document_schema() -> &'static serde_json::Value {
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::to_value(schemars::schema_for!(SchemaDocument)).unwrap_or_default())
}

/// Whether `schema` (resolved in `root`) may be a JSON array.
fn allows_array(schema: &serde_json::Value) -> bool {
    match schema.get("type") {
        Some(serde_json::Value::String(t)) => t == "array",
        Some(serde_json::Value::Array(ts)) => ts.iter().any(|t| t == "array"),
        _ => schema.get("properties").is_none(),
    }
}

fn resolve<'s>(schema: &'s serde_json::Value, root: &'s serde_json::Value) -> &'s serde_json::Value {
    match schema.get("$ref").and_then(serde_json::Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => root.pointer(&format!("/$defs/{name}")).unwrap_or(schema),
        None => schema,
    }
}

/// `false` (with `path` at the place) when `value` holds an array where
/// `schema` has only an object.
fn objects_only(
    value: &serde_json::Value,
    schema: &serde_json::Value,
    root: &serde_json::Value,
    path: &mut String,
) -> bool {
    use serde_json::Value;
    let schema = resolve(schema, root);
    if let Some(Value::Array(alternatives)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        let resolved: Vec<&Value> = alternatives.iter().map(|a| resolve(a, root)).collect();
        if value.is_array() && !resolved.iter().any(|a| allows_array(a)) {
            return false;
        }
        let real: Vec<&&Value> =
            resolved.iter().filter(|a| a.get("type").and_then(Value::as_str) != Some("null")).collect();
        return match real.as_slice() {
            [one] => objects_only(value, one, root, path),
            _ => true,
        };
    }
    match value {
        Value::Array(items) if !allows_array(schema) => false,
        Value::Array(items) => {
            let Some(item) = schema.get("items") else { return true };
            items.iter().enumerate().all(|(i, v)| {
                let len = path.len();
                path.push_str(&format!("/{i}"));
                let ok = objects_only(v, item, root, path);
                if ok {
                    path.truncate(len);
                }
                ok
            })
        }
        Value::Object(fields) => {
            let Some(properties) = schema.get("properties") else { return true };
            fields.iter().all(|(k, v)| {
                let Some(property) = properties.get(k) else { return true };
                let len = path.len();
                path.push('/');
                path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                let ok = objects_only(v, property, root, path);
                if ok {
                    path.truncate(len);
                }
                ok
            })
        }
        _ => true,
    }
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
