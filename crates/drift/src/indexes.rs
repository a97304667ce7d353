//! Indexes matched by key signature as well as by id: an index renamed or
//! re-created outside (a new oid, a new name) with the same table, elements,
//! method, uniqueness, included columns and predicate as one the design
//! has is that index, so drift reports a rename, not a drop and a create.

use std::collections::HashMap;

use schemaforge_domain::SchemaDocument;
use serde_json::Value;

/// What an index is, without what it is called: its document form but for
/// id, name and comment.
fn signature(index: &schemaforge_domain::Index) -> Option<String> {
    let Ok(Value::Object(mut o)) = serde_json::to_value(index) else { return None };
    for field in ["id", "name", "comment"] {
        o.remove(field);
    }
    serde_json::to_string(&o).ok()
}

/// Give each live index that no design index matched by id the id of a
/// design index of the same table, matched by nothing, with the same
/// signature (first come, first matched, in the design's order).
pub fn match_signatures(desired: &SchemaDocument, live: &mut SchemaDocument) {
    let desired_tables: HashMap<&str, &schemaforge_domain::Table> =
        desired.tables.iter().map(|t| (t.id.as_str(), t)).collect();
    for table in &mut live.tables {
        let Some(d) = desired_tables.get(table.id.as_str()) else { continue };
        let live_ids: std::collections::HashSet<String> = table.indexes.iter().map(|i| i.id.clone()).collect();
        let desired_ids: std::collections::HashSet<&str> = d.indexes.iter().map(|i| i.id.as_str()).collect();
        let mut unmatched: Vec<(String, &str)> = d
            .indexes
            .iter()
            .filter(|i| !live_ids.contains(&i.id))
            .filter_map(|i| Some((signature(i)?, i.id.as_str())))
            .collect();
        for index in table.indexes.iter_mut().filter(|i| !desired_ids.contains(i.id.as_str())) {
            let Some(sig) = signature(index) else { continue };
            if let Some(at) = unmatched.iter().position(|(s, _)| *s == sig) {
                index.id = unmatched.remove(at).1.to_string();
            }
        }
    }
}
