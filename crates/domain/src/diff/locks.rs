//! Locks add up inside the one transaction a migration runs in: every lock
//! is held until it commits. An index build or a foreign key validation on
//! its own only blocks writes (SHARE, SHARE ROW EXCLUSIVE), but when an
//! earlier statement of the same script took ACCESS EXCLUSIVE on the table
//! (any `ALTER TABLE` that is not a foreign key, a `DROP INDEX`), readers
//! wait through the build too. The explanations say so.

use std::collections::HashMap;

use super::{Change, ChangeKind, ConstraintKind, MovedObject, Safety};
use crate::model::ModelIndex;

/// The table a change takes ACCESS EXCLUSIVE on, if any.
fn access_exclusive<'m>(kind: &'m ChangeKind, old: &ModelIndex<'m>) -> Option<&'m str> {
    use ChangeKind as K;
    match kind {
        K::DropForeignKey { foreign_key_id } => old.foreign_key(foreign_key_id).map(|fk| fk.source_table_id.as_str()),
        K::AddColumn { table_id, .. }
        | K::DropColumn { table_id, .. }
        | K::RenameColumn { table_id, .. }
        | K::AlterColumnType { table_id, .. }
        | K::SetNotNull { table_id, .. }
        | K::DropNotNull { table_id, .. }
        | K::SetDefault { table_id, .. }
        | K::DropDefault { table_id, .. }
        | K::AddIdentity { table_id, .. }
        | K::DropIdentity { table_id, .. }
        | K::SetIdentityGeneration { table_id, .. }
        | K::AlterSequenceOptions { table_id, .. }
        | K::AddPrimaryKey { table_id }
        | K::DropPrimaryKey { table_id }
        | K::AddUnique { table_id, .. }
        | K::DropUnique { table_id, .. }
        | K::AddCheck { table_id, .. }
        | K::DropCheck { table_id, .. }
        | K::DropIndex { table_id, .. }
        | K::RenameTable { table_id, .. }
        | K::MoveObject { object: MovedObject::Table, object_id: table_id, .. }
        | K::FinishMove { object: MovedObject::Table, object_id: table_id, .. } => Some(table_id),
        // Keys are renamed through their index (SHARE UPDATE EXCLUSIVE).
        K::RenameConstraint { table_id, constraint: ConstraintKind::Check | ConstraintKind::ForeignKey, .. } => {
            Some(table_id)
        }
        _ => None,
    }
}

/// The tables whose writes a change blocks with a weaker lock while it
/// builds or validates.
fn blocks_writes<'m>(kind: &'m ChangeKind, new: &ModelIndex<'m>) -> Vec<&'m str> {
    match kind {
        ChangeKind::AddIndex { table_id, .. } => vec![table_id],
        ChangeKind::AddForeignKey { foreign_key_id } => new
            .foreign_key(foreign_key_id)
            .map(|fk| vec![fk.source_table_id.as_str(), fk.target_table_id.as_str()])
            .unwrap_or_default(),
        // ALTER DOMAIN checks the values of every column of the domain
        // under a SHARE lock on its table.
        ChangeKind::AddDomainCheck { domain_id, .. } | ChangeKind::SetDomainNotNull { domain_id, not_null: true } => {
            new.model()
                .tables
                .iter()
                .filter(|t| {
                    t.columns
                        .iter()
                        .any(|c| matches!(&c.ty.base, crate::model::BaseType::Domain { id, .. } if id == domain_id))
                })
                .map(|t| t.id.as_str())
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Amend the explanation of every index build and foreign key validation
/// that runs while an earlier change of the script holds ACCESS EXCLUSIVE
/// on one of its tables.
pub(super) fn note_held_locks(changes: &mut [Change], old: &ModelIndex<'_>, new: &ModelIndex<'_>) {
    // table id -> description of the first change that locks it exclusively
    let mut held: HashMap<String, String> = HashMap::new();
    for change in changes.iter_mut() {
        if change.safety != Safety::Safe {
            let holder = blocks_writes(&change.kind, new).into_iter().find_map(|t| {
                let table = new.table(t).or_else(|| old.table(t))?;
                Some((table.name.as_str(), held.get(t)?))
            });
            if let Some((table, by)) = holder {
                let note = format!(
                    "; and since \"{by}\" earlier in this script holds an ACCESS EXCLUSIVE lock on {table} until \
                     the transaction commits, reads of {table} are blocked too meanwhile"
                );
                change.explanation = Some(format!("{}{note}", change.explanation.as_deref().unwrap_or_default()));
            }
        }
        if let Some(t) = access_exclusive(&change.kind, old) {
            held.entry(t.to_string()).or_insert_with(|| change.description.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ValidSchema, diff::diff, parse_document};

    fn schema(indexes: &str, checks: &str) -> ValidSchema {
        let json = format!(
            r#"{{"name": "x", "tables": [{{"id": "t", "name": "t", "columns": [
            {{"id": "id", "name": "id", "dataType": "integer", "primaryKey": true}},
            {{"id": "a", "name": "a", "dataType": "integer"}}], "indexes": {indexes}, "checks": {checks}}}]}}"#
        );
        ValidSchema::parse(parse_document(&json).unwrap()).unwrap()
    }

    #[test]
    fn a_rebuilt_index_blocks_reads() {
        let plain = r#"[{"id": "x", "columnIds": ["a"]}]"#;
        let hash = r#"[{"id": "x", "columnIds": ["a"], "method": "hash"}]"#;
        let set = diff(&schema(plain, "[]"), &schema(hash, "[]"));
        let add = set.changes().last().unwrap();
        assert!(add.description.starts_with("create index"), "{add:?}");
        let why = add.explanation.as_deref().unwrap();
        assert!(why.contains("blocks writes") && why.contains("reads of t are blocked too"), "{why}");
        assert!(why.contains("\"drop index t_a_idx of t\""), "{why}");
        // Alone, a new index only blocks writes.
        let set = diff(&schema("[]", "[]"), &schema(plain, "[]"));
        assert!(!set.changes()[0].explanation.as_deref().unwrap().contains("reads"));
        // Any ALTER TABLE before it counts, e.g. a new check.
        let set = diff(&schema("[]", "[]"), &schema(plain, r#"[{"id": "k", "expression": "a > 0"}]"#));
        assert!(set.changes().last().unwrap().explanation.as_deref().unwrap().contains("reads of t are blocked"));
    }
}
