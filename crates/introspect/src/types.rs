//! A type as the catalog names it, as a column's `dataType` (with
//! `enumId`, `domainId` or `compositeId`) names it in the document.

use crate::Importer;
use crate::catalog::TypeRef;

/// A type in the document's terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DocType {
    pub(crate) data_type: String,
    pub(crate) enum_id: Option<String>,
    pub(crate) domain_id: Option<String>,
    pub(crate) composite_id: Option<String>,
    pub(crate) is_array: Option<bool>,
}

/// Names of `pg_catalog` types the document spells differently from
/// `format_type`, or that `format_type` prints in a form the document's
/// type reader does not take.
fn catalog_spelling(ty: &TypeRef) -> Option<String> {
    match ty.name.as_str() {
        // The one-byte internal type, not char(n): not in the format.
        "char" | "name" => None,
        _ => Some(ty.sql.clone()),
    }
}

impl Importer<'_> {
    /// `ty` in the document's terms, or why it has none.
    pub(crate) fn doc_type(&self, ty: &TypeRef) -> Result<DocType, String> {
        let is_array = ty.array.then_some(true);
        let user = |kind: char| match self.type_ids.get(&ty.oid) {
            Some((k, id)) if *k == kind => Ok(id.clone()),
            _ => Err(format!("its type {}.{} is not imported", ty.namespace, ty.name)),
        };
        let out = match ty.kind.as_str() {
            "e" => DocType { data_type: "enum".into(), enum_id: Some(user('e')?), is_array, ..Default::default() },
            "d" => DocType { data_type: "domain".into(), domain_id: Some(user('d')?), is_array, ..Default::default() },
            "c" => DocType {
                data_type: "composite".into(),
                composite_id: Some(user('c')?),
                is_array,
                ..Default::default()
            },
            _ if ty.namespace == "pg_catalog" => match catalog_spelling(ty) {
                Some(data_type) => DocType { data_type, is_array, ..Default::default() },
                None => return Err(format!("type {} is not one the document format holds", ty.sql)),
            },
            // An extension's type (citext, hstore, ...): its bare name; the
            // document names the extension, whatever namespace it is in.
            _ => DocType { data_type: ty.name.clone(), is_array, ..Default::default() },
        };
        Ok(out)
    }
}
