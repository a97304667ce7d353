//! Namespaces (PostgreSQL schemas), matched by id: renamed first (through
//! temporary names where two swap), created next, dropped last. A
//! namespace that goes away while a new one takes its name is kept as that
//! one: the schema stays, and what is in it stays in place.
//!
//! Objects that change namespace move with `ALTER ... SET SCHEMA` before
//! any other rename runs, under their old names. A move whose names (the
//! table's, its indexes' and keys', its sequences') could meet a name
//! still held in the target goes through a schema of its own instead: its
//! renames run there, clear of every other name, and it reaches its
//! namespace after all renames.

use super::*;
use crate::model::{NamespaceRef, namespace_id};

const MOVE_NOTE: &str = "queries and application code that name it with its schema, or find it through the \
search_path, must change with it";

/// One object that changes namespace.
struct Mover {
    object: MovedObject,
    id: String,
    name: String,
    from: Option<String>,
    to: Option<String>,
    /// `namespace.name` (or `name` in public), for descriptions.
    shown: String,
    /// The names it brings into the target (relations and types).
    names: Vec<String>,
}

impl Differ<'_> {
    /// Where the old namespace `id` is in the new document: its own id if it
    /// stays, the id of the new namespace that took its name if it was
    /// adopted.
    fn place_of(&self, id: Option<&str>) -> Option<String> {
        let id = id?;
        Some(self.adopted.get(id).cloned().unwrap_or_else(|| id.to_string()))
    }

    /// Whether an object that was in `old` and is in `new` stays in the same
    /// schema of the database.
    fn same_place(&self, old: &Option<NamespaceRef>, new: &Option<NamespaceRef>) -> bool {
        self.place_of(namespace_id(old)) == namespace_id(new).map(str::to_string)
    }

    pub(super) fn namespaces(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        // New namespaces without an old one of their id, by name.
        let unmatched: HashMap<&str, &str> = new
            .namespaces
            .iter()
            .filter(|n| self.old_ix.namespace(&n.id).is_none())
            .map(|n| (n.name.as_str(), n.id.as_str()))
            .collect();
        let mut renames = Vec::new();
        for o in &old.namespaces {
            if let Some(n) = self.new_ix.namespace(&o.id) {
                if o.name != n.name {
                    let id = n.id.clone();
                    renames.push(PendingRename::new(
                        "namespace",
                        n.name.as_str(),
                        &o.name,
                        &n.name,
                        move |from, to| ChangeKind::RenameNamespace { namespace_id: id.clone(), from, to },
                    ));
                }
                if o.comment != n.comment {
                    self.namespace_comment(&n.id, n.name.as_str(), n.comment.is_some());
                }
                continue;
            }
            if let Some(&nid) = unmatched.get(o.name.as_str()) {
                self.adopted.insert(o.id.clone(), nid.to_string());
                if let Some(n) = self.new_ix.namespace(nid).filter(|n| n.comment != o.comment) {
                    self.namespace_comment(&n.id, n.name.as_str(), n.comment.is_some());
                }
                continue;
            }
            // A namespace of the new document that keeps its id takes this
            // name: this one moves out of its way until it is dropped.
            let mut name = o.name.to_string();
            if new.namespaces.iter().any(|n| n.name == o.name) {
                let tmp = self.temp.fresh();
                self.push_safe(
                    Stage::RenameNamespaces,
                    ChangeKind::RenameNamespace { namespace_id: o.id.clone(), from: name.clone(), to: tmp.clone() },
                    name.clone(),
                    format!("rename namespace {name} to {tmp} until it is dropped (another namespace takes its name)"),
                );
                name = tmp;
            }
            self.push(
                Stage::DropNamespaces,
                Change::new(
                    ChangeKind::DropNamespace { namespace_id: o.id.clone(), name: name.clone() },
                    Safety::Safe,
                    o.name.as_str(),
                    format!("drop namespace {}", o.name),
                )
                .why("everything of the document in it is dropped or moved out before; without CASCADE, it is refused while anything else is still in it"),
            );
        }
        let adopted: HashSet<String> = self.adopted.values().cloned().collect();
        for n in &new.namespaces {
            if self.old_ix.namespace(&n.id).is_none() && !adopted.contains(&n.id) {
                self.push_safe(
                    Stage::CreateNamespaces,
                    ChangeKind::CreateNamespace { namespace_id: n.id.clone() },
                    n.name.as_str(),
                    format!("create namespace {}", n.name),
                );
                if n.comment.is_some() {
                    self.namespace_comment(&n.id, n.name.as_str(), true);
                }
            }
        }
        let (changes, _) = resolve_renames(renames, &mut self.temp, &HashSet::new());
        self.stages[Stage::RenameNamespaces as usize].extend(changes);
    }

    fn namespace_comment(&mut self, id: &str, name: &str, set: bool) {
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetNamespaceComment { namespace_id: id.to_string() },
            name,
            format!("{} comment on namespace {name}", if set { "set" } else { "remove" }),
        );
    }

    /// Every table, type, sequence and extension whose namespace changes.
    pub(super) fn moves(&mut self) {
        let old = self.old_ix.model();
        let mut movers = Vec::new();
        // Names held in each schema of the old database, by the new
        // namespace id it is (`None`: public; a dropped one keeps its own id).
        let mut held: HashMap<Option<String>, HashSet<String>> = HashMap::new();
        let mut hold = |d: &Self, ns: &Option<NamespaceRef>, names: &[String]| {
            held.entry(d.place_of(namespace_id(ns))).or_default().extend(names.iter().cloned());
        };
        // Owned sequences go with their table.
        let mut carried: HashMap<&str, Vec<String>> = HashMap::new();
        for s in &old.sequences {
            if let Some((t, _)) = &s.owned_by {
                carried.entry(t.as_str()).or_default().push(s.name.to_string());
            }
        }
        for o in &old.tables {
            let mut names = vec![o.name.to_string()];
            names.extend(o.primary_key.iter().chain(&o.uniques).map(|k| k.name.to_string()));
            names.extend(o.indexes.iter().map(|x| x.name.to_string()));
            names.extend(o.exclusions.iter().map(|x| x.name.to_string()));
            names.extend(o.columns.iter().filter_map(|c| c.identity.as_ref()).map(|i| i.sequence.to_string()));
            names.extend(carried.get(o.id.as_str()).into_iter().flatten().cloned());
            hold(self, &o.namespace, &names);
            let replaced = self.replaced.contains(&o.id);
            if let Some(n) =
                self.new_ix.table(&o.id).filter(|n| !replaced && !self.same_place(&o.namespace, &n.namespace))
            {
                movers.push(self.mover(MovedObject::Table, &o.id, o.name.as_str(), &o.namespace, &n.namespace, names));
            }
        }
        let types = old
            .enums
            .iter()
            .map(|e| (MovedObject::Enum, &e.id, &e.name, &e.namespace))
            .chain(old.domains.iter().map(|d| (MovedObject::Domain, &d.id, &d.name, &d.namespace)))
            .chain(old.composites.iter().map(|c| (MovedObject::Composite, &c.id, &c.name, &c.namespace)))
            .chain(old.sequences.iter().map(|s| (MovedObject::Sequence, &s.id, &s.name, &s.namespace)))
            .chain(old.collations.iter().map(|c| (MovedObject::Collation, &c.id, &c.name, &c.namespace)))
            .chain(old.text_search.iter().map(|c| (MovedObject::TextSearchConfig, &c.id, &c.name, &c.namespace)));
        for (object, id, name, ns) in types {
            let names = vec![name.to_string()];
            hold(self, ns, &names);
            let new_ns = match object {
                MovedObject::Enum => self.new_ix.enum_type(id).map(|e| &e.namespace),
                MovedObject::Domain => self.new_ix.domain(id).map(|d| &d.namespace),
                MovedObject::Composite => self.new_ix.composite(id).map(|c| &c.namespace),
                MovedObject::Collation => self.new_ix.collation(id).map(|c| &c.namespace),
                MovedObject::TextSearchConfig => self.new_ix.text_search(id).map(|c| &c.namespace),
                _ => self.new_sequence_place(id),
            };
            if let Some(n) = new_ns.filter(|n| !self.same_place(ns, n)) {
                movers.push(self.mover(object, id, name.as_str(), ns, n, names));
            }
        }
        for o in &old.extensions {
            let Some(n) = self.new_ix.extension(&o.id).filter(|n| !self.same_place(&o.namespace, &n.namespace)) else {
                continue;
            };
            let m = self.mover(MovedObject::Extension, &o.id, o.name.as_str(), &o.namespace, &n.namespace, Vec::new());
            self.push(
                Stage::MoveObjects,
                self.move_change(&m, None).risk(
                    Safety::MayFail,
                    "PostgreSQL refuses it for an extension that is not relocatable, and when a name of one of its objects is taken in the new namespace",
                    "drop the extension and create it again in the new namespace, if nothing uses it",
                ),
            );
        }
        // How many movers bring each name into each namespace.
        let mut brought: HashMap<(Option<String>, &str), usize> = HashMap::new();
        for m in &movers {
            for name in &m.names {
                *brought.entry((m.to.clone(), name.as_str())).or_default() += 1;
            }
        }
        let empty = HashSet::new();
        let staged: Vec<bool> = movers
            .iter()
            .map(|m| {
                let taken = held.get(&m.to).unwrap_or(&empty);
                m.names.iter().any(|n| taken.contains(n) || brought.get(&(m.to.clone(), n.as_str())) > Some(&1))
            })
            .collect();
        for (m, staged) in movers.iter().zip(staged) {
            let staging = staged.then(|| self.temp.fresh());
            self.push(Stage::MoveObjects, self.move_change(m, staging.clone()));
            if let Some(staging) = staging {
                self.push_safe(
                    Stage::FinishMoves,
                    ChangeKind::FinishMove { object: m.object, object_id: m.id.clone(), staging: staging.clone() },
                    m.name.clone(),
                    format!(
                        "move {} {} from {staging} to namespace {}",
                        what(m.object),
                        m.name,
                        self.shown_namespace(&m.to)
                    ),
                );
            }
        }
    }

    /// A standalone sequence's namespace in the new document, unless its
    /// table carries it there (an owned sequence moves with its table).
    fn new_sequence_place(&self, id: &str) -> Option<&Option<NamespaceRef>> {
        let (o, n) = (self.old_ix.sequence(id)?, self.new_ix.sequence(id)?);
        let carrier = o.owned_by.as_ref().and_then(|(t, _)| Some((self.old_ix.table(t)?, self.new_ix.table(t)?)));
        match carrier {
            Some((ot, nt)) if !self.same_place(&ot.namespace, &nt.namespace) => {
                // Where the table takes it, it is; anywhere else needs its
                // ownership released before the table moves.
                if namespace_id(&nt.namespace) == namespace_id(&n.namespace) { None } else { Some(&n.namespace) }
            }
            _ => Some(&n.namespace),
        }
    }

    /// Sequences owned by a table that moves without them: released
    /// (`OWNED BY NONE`) before anything moves, owned again at the end.
    pub(super) fn released_sequences(&mut self) {
        let old = self.old_ix.model();
        for o in &old.sequences {
            let Some(n) = self.new_ix.sequence(&o.id) else { continue };
            let Some((ot, nt)) =
                o.owned_by.as_ref().and_then(|(t, _)| Some((self.old_ix.table(t)?, self.new_ix.table(t)?)))
            else {
                continue;
            };
            if !self.same_place(&ot.namespace, &nt.namespace)
                && namespace_id(&nt.namespace) != namespace_id(&n.namespace)
            {
                self.push_safe(
                    Stage::DropConstraints,
                    ChangeKind::ReleaseSequence { sequence_id: o.id.clone() },
                    o.name.as_str(),
                    format!("release sequence {} from its owner before table {} moves", o.name, ot.name),
                );
            }
        }
    }

    fn mover(
        &self,
        object: MovedObject,
        id: &str,
        name: &str,
        from: &Option<NamespaceRef>,
        to: &Option<NamespaceRef>,
        names: Vec<String>,
    ) -> Mover {
        Mover {
            object,
            id: id.to_string(),
            name: name.to_string(),
            from: namespace_id(from).map(str::to_string),
            to: namespace_id(to).map(str::to_string),
            shown: match from {
                Some(n) => format!("{}.{name}", n.name),
                None => name.to_string(),
            },
            names,
        }
    }

    /// The name of the new document's namespace `id` (`public` for none).
    fn shown_namespace(&self, id: &Option<String>) -> String {
        id.as_deref().and_then(|id| self.new_ix.namespace(id)).map_or("public", |n| n.name.as_str()).to_string()
    }

    fn move_change(&self, m: &Mover, staging: Option<String>) -> Change {
        let to_name = |id: &Option<String>| self.shown_namespace(id);
        let description = match &staging {
            Some(s) => format!(
                "move {} {} to namespace {} (through {s}: a name it brings is still taken there)",
                what(m.object),
                m.shown,
                to_name(&m.to)
            ),
            None => format!("move {} {} to namespace {}", what(m.object), m.shown, to_name(&m.to)),
        };
        Change::new(
            ChangeKind::MoveObject {
                object: m.object,
                object_id: m.id.clone(),
                name: m.name.clone(),
                from_namespace_id: m.from.clone(),
                to_namespace_id: m.to.clone(),
                staging,
            },
            Safety::Safe,
            m.name.clone(),
            description,
        )
        .why(MOVE_NOTE)
        .instead("keep it where it is, or leave a view under the old schema, until every client uses the new one")
    }
}

fn what(object: MovedObject) -> &'static str {
    match object {
        MovedObject::Table => "table",
        MovedObject::Enum => "enum",
        MovedObject::Domain => "domain",
        MovedObject::Composite => "composite type",
        MovedObject::Sequence => "sequence",
        MovedObject::Extension => "extension",
        MovedObject::Collation => "collation",
        MovedObject::TextSearchConfig => "text search configuration",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::diff::{ChangeKind, MovedObject, diff};
    use crate::{ValidSchema, parse_document};

    fn schema(v: &Value) -> ValidSchema {
        ValidSchema::parse(parse_document(&v.to_string()).unwrap()).unwrap_or_else(|e| panic!("{:#?}", e.report))
    }

    /// Tables `t1` and `t2`, both named `orders`, in the given namespaces.
    fn doc(namespaces: Value, places: [Value; 2]) -> ValidSchema {
        let table = |id: &str, ns: &Value| {
            json!({"id": id, "name": "orders", "namespaceId": ns, "columns": [
                {"id": format!("{id}c"), "name": "id", "dataType": "integer", "primaryKey": true}]})
        };
        schema(&json!({"name": "n", "namespaces": namespaces,
            "tables": [table("t1", &places[0]), table("t2", &places[1])]}))
    }

    fn kinds(a: &ValidSchema, b: &ValidSchema) -> Vec<ChangeKind> {
        diff(a, b).changes().iter().map(|c| c.kind.clone()).collect()
    }

    #[test]
    fn namespaces_are_created_renamed_swapped_and_dropped_by_id() {
        let ab = json!([{"id": "n1", "name": "a"}, {"id": "n2", "name": "b"}]);
        let ba = json!([{"id": "n1", "name": "b"}, {"id": "n2", "name": "a"}]);
        let v1 = doc(ab.clone(), [json!("n1"), json!("n2")]);
        let v2 = doc(ba, [json!("n1"), json!("n2")]);
        // Run the renames on the names: none meets a taken name, and each
        // namespace ends with its new one.
        let mut names: std::collections::BTreeMap<String, String> =
            [("a".to_string(), "n1".to_string()), ("b".to_string(), "n2".to_string())].into();
        for k in kinds(&v1, &v2) {
            let ChangeKind::RenameNamespace { namespace_id, from, to } = k else { panic!("{k:?}") };
            assert_eq!(names.remove(&from).as_deref(), Some(namespace_id.as_str()));
            assert!(names.insert(to, namespace_id).is_none());
        }
        assert_eq!(names, [("a".to_string(), "n2".to_string()), ("b".to_string(), "n1".to_string())].into());
        let v3 = doc(json!([{"id": "n1", "name": "a"}, {"id": "n3", "name": "c"}]), [json!("n1"), json!("n3")]);
        let changes = kinds(&v1, &v3);
        assert!(
            changes.iter().any(|k| matches!(k, ChangeKind::CreateNamespace { namespace_id } if namespace_id == "n3"))
        );
        assert!(matches!(changes.last(), Some(ChangeKind::DropNamespace { name, .. }) if name == "b"), "{changes:#?}");
        assert!(changes.iter().any(|k| matches!(k,
            ChangeKind::MoveObject { object: MovedObject::Table, staging: None, to_namespace_id: Some(n), .. } if n == "n3")));
    }

    #[test]
    fn a_namespace_recreated_under_its_name_is_kept() {
        let v1 = doc(json!([{"id": "n1", "name": "a"}]), [json!("n1"), Value::Null]);
        let v2 = doc(json!([{"id": "n9", "name": "a", "comment": "again"}]), [json!("n9"), Value::Null]);
        let changes = kinds(&v1, &v2);
        assert!(
            matches!(&changes[..], [ChangeKind::SetNamespaceComment { namespace_id }] if namespace_id == "n9"),
            "{changes:#?}"
        );
    }

    #[test]
    fn a_dropped_namespace_leaves_its_name_to_a_renamed_one() {
        let v1 = doc(json!([{"id": "n1", "name": "a"}, {"id": "n2", "name": "b"}]), [Value::Null, json!("n2")]);
        let v2 = doc(json!([{"id": "n2", "name": "a"}]), [Value::Null, json!("n2")]);
        let changes = kinds(&v1, &v2);
        let ChangeKind::RenameNamespace { namespace_id, from, to: tmp } = &changes[0] else { panic!("{changes:#?}") };
        assert_eq!((namespace_id.as_str(), from.as_str()), ("n1", "a"));
        assert!(matches!(&changes[1], ChangeKind::RenameNamespace { from, to, .. } if from == "b" && to == "a"));
        assert!(matches!(changes.last(), Some(ChangeKind::DropNamespace { name, .. }) if name == tmp));
    }

    #[test]
    fn tables_of_one_name_trading_namespaces_pass_through_staging() {
        let ns = json!([{"id": "n1", "name": "a"}]);
        let v1 = doc(ns.clone(), [Value::Null, json!("n1")]);
        let v2 = doc(ns, [json!("n1"), Value::Null]);
        let changes = kinds(&v1, &v2);
        let staged: Vec<&str> = changes
            .iter()
            .filter_map(|k| match k {
                ChangeKind::MoveObject { staging: Some(s), .. } => Some(s.as_str()),
                _ => None,
            })
            .collect();
        let finished: Vec<&str> = changes
            .iter()
            .filter_map(|k| match k {
                ChangeKind::FinishMove { staging, .. } => Some(staging.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(staged.len(), 2, "{changes:#?}");
        assert_eq!(staged, finished);
        assert_ne!(staged[0], staged[1]);
        // A move with nothing in the way is one statement.
        let one = |ns: Value| {
            schema(&json!({"name": "n", "namespaces": [{"id": "n1", "name": "a"}], "tables": [
                {"id": "t1", "name": "orders", "namespaceId": ns, "columns": [
                    {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true}]}]}))
        };
        let direct = kinds(&one(json!("n1")), &one(Value::Null));
        assert!(
            matches!(&direct[..], [ChangeKind::MoveObject { staging: None, to_namespace_id: None, .. }]),
            "{direct:#?}"
        );
    }

    #[test]
    fn an_owned_sequence_left_behind_is_released_before_its_table_moves() {
        let doc = |table_ns: Value, owned: bool| {
            let mut sequence = json!({"id": "s1", "name": "ids"});
            if owned {
                sequence["ownedBy"] = json!({"tableId": "t1", "columnId": "c1"});
            }
            schema(&json!({"name": "n", "namespaces": [{"id": "n1", "name": "a"}], "sequences": [sequence],
                "tables": [{"id": "t1", "name": "t", "namespaceId": table_ns, "columns": [
                    {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true, "default": {"sequence": "s1"}}]}]}))
        };
        let changes = kinds(&doc(Value::Null, true), &doc(json!("n1"), false));
        assert!(
            matches!(&changes[0], ChangeKind::ReleaseSequence { sequence_id } if sequence_id == "s1"),
            "{changes:#?}"
        );
        assert!(changes.iter().any(|k| matches!(k, ChangeKind::MoveObject { object: MovedObject::Table, .. })));
        assert!(!changes.iter().any(|k| matches!(k, ChangeKind::MoveObject { object: MovedObject::Sequence, .. })));
        // Owned before and after: it goes with its table, nothing else.
        let v1 = schema(&json!({"name": "n", "namespaces": [{"id": "n1", "name": "a"}],
            "sequences": [{"id": "s1", "name": "ids", "ownedBy": {"tableId": "t1", "columnId": "c1"}}],
            "tables": [{"id": "t1", "name": "t", "columns": [{"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true}]}]}));
        let mut v2 = v1.document().clone();
        v2.tables[0].namespace_id = Some("n1".into());
        v2.sequences[0].namespace_id = Some("n1".into());
        let changes = kinds(&v1, &ValidSchema::parse(v2).unwrap());
        assert!(matches!(&changes[..], [ChangeKind::MoveObject { object: MovedObject::Table, .. }]), "{changes:#?}");
    }
}
