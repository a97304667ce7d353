//! Extensions: created first, dropped after everything that used them,
//! updated in place when a pinned version changes. An extension cannot be
//! renamed: a new name under the same id is another extension.

use super::*;
use crate::model::ExtensionModel;

impl Differ<'_> {
    pub(super) fn extensions(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        for o in &old.extensions {
            match self.new_ix.extension(&o.id) {
                Some(n) if n.name == o.name => self.changed_extension(o, n),
                _ => self.dropped_extension(o),
            }
        }
        for n in &new.extensions {
            if self.old_ix.extension(&n.id).is_none_or(|o| o.name != n.name) {
                self.added_extension(n);
            }
        }
    }

    fn added_extension(&mut self, n: &ExtensionModel) {
        self.push(
            Stage::CreateExtensions,
            Change::new(
                ChangeKind::CreateExtension { extension_id: n.id.clone() },
                Safety::Safe,
                n.name.as_str(),
                format!("create extension {}", n.name),
            )
            .why("touches no table; the server must have the extension installed, and the role the right to create it"),
        );
        if n.comment.is_some() {
            self.extension_comment(n);
        }
    }

    fn dropped_extension(&mut self, o: &ExtensionModel) {
        self.push(
            Stage::DropExtensions,
            Change::new(
                ChangeKind::DropExtension { extension_id: o.id.clone(), name: o.name.to_string() },
                Safety::Safe,
                o.name.as_str(),
                format!("drop extension {}", o.name),
            )
            .why(
                "nothing in the document uses it any more, and it holds no rows; nothing is cascaded, so an \
                 object made outside the document that still uses it stops the migration",
            ),
        );
    }

    fn changed_extension(&mut self, o: &ExtensionModel, n: &ExtensionModel) {
        if o.version != n.version {
            let version = |v: &Option<String>| v.clone().unwrap_or_else(|| "the default version".to_string());
            self.push(
                Stage::CreateExtensions,
                Change::new(
                    ChangeKind::UpdateExtension {
                        extension_id: n.id.clone(),
                        from: o.version.clone(),
                        to: n.version.clone(),
                    },
                    Safety::MayFail,
                    n.name.as_str(),
                    format!("update extension {} from {} to {}", n.name, version(&o.version), version(&n.version)),
                )
                .why("fails if the server has no update script between the two versions (most have none downwards)"),
            );
        }
        if o.comment != n.comment {
            self.extension_comment(n);
        }
    }

    fn extension_comment(&mut self, n: &ExtensionModel) {
        let verb = if n.comment.is_some() { "set" } else { "remove" };
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetExtensionComment { extension_id: n.id.clone() },
            n.name.as_str(),
            format!("{verb} comment on extension {}", n.name),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::diff::diff;
    use crate::{ChangeKind, Safety, ValidSchema, parse_document};

    fn schema(extensions: serde_json::Value) -> ValidSchema {
        let doc = serde_json::json!({"name": "x", "extensions": extensions, "tables": [{"id": "t", "name": "t",
            "columns": [{"id": "c", "name": "c", "dataType": "integer", "primaryKey": true}]}]});
        ValidSchema::parse(parse_document(&doc.to_string()).unwrap()).unwrap()
    }

    #[test]
    fn extensions_diff_by_id() {
        let none = schema(serde_json::json!([]));
        let one = schema(serde_json::json!([{"id": "x", "name": "hstore"}]));
        let pinned = schema(serde_json::json!([{"id": "x", "name": "hstore", "version": "1.7", "comment": "kv"}]));
        let other = schema(serde_json::json!([{"id": "x", "name": "ltree"}]));
        let kinds = |a: &ValidSchema, b: &ValidSchema| -> Vec<(ChangeKind, Safety)> {
            diff(a, b).changes().iter().map(|c| (c.kind.clone(), c.safety)).collect()
        };
        assert_eq!(kinds(&none, &one), vec![(ChangeKind::CreateExtension { extension_id: "x".into() }, Safety::Safe)]);
        assert_eq!(
            kinds(&one, &none),
            vec![(ChangeKind::DropExtension { extension_id: "x".into(), name: "hstore".into() }, Safety::Safe)]
        );
        assert_eq!(
            kinds(&one, &pinned),
            vec![
                (
                    ChangeKind::UpdateExtension { extension_id: "x".into(), from: None, to: Some("1.7".into()) },
                    Safety::MayFail
                ),
                (ChangeKind::SetExtensionComment { extension_id: "x".into() }, Safety::Safe),
            ]
        );
        // Another name under the same id is another extension.
        let swap = kinds(&one, &other);
        assert_eq!(swap.len(), 2);
        assert!(matches!(swap[0].0, ChangeKind::CreateExtension { .. }));
        assert!(matches!(swap[1].0, ChangeKind::DropExtension { .. }));
        assert!(kinds(&pinned, &pinned).is_empty());
    }
}
