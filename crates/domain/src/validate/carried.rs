//! Carried SQL objects: each statement parsed by PostgreSQL's grammar (of
//! the kind its list holds), its names unique, its table and the routines
//! it calls resolved to the document's objects by id.

use schemaforge_pgparse::{Statement, StatementKind, parse_statement};

use super::*;
use crate::document::SqlObject;
use crate::model::{CarriedKind, CarriedModel};

/// The document's tables by (namespace name, name), and with them its views
/// and standalone sequences (what a rule or grant may be on).
/// Ids by (namespace name, name).
type ByName<'d> = HashMap<(String, String), &'d str>;

fn relations_by_name(doc: &SchemaDocument) -> (ByName<'_>, ByName<'_>) {
    let ns = |id: &Option<String>| super::namespaces::namespace_name(doc, id);
    let tables: ByName<'_> =
        doc.tables.iter().filter_map(|t| Some(((ns(&t.namespace_id)?, t.name.clone()), t.id.as_str()))).collect();
    let mut all = tables.clone();
    all.extend(doc.views.iter().filter_map(|v| Some(((ns(&v.namespace_id)?, v.name.clone()), v.id.as_str()))));
    all.extend(doc.sequences.iter().filter_map(|s| Some(((ns(&s.namespace_id)?, s.name.clone()), s.id.as_str()))));
    (tables, all)
}

pub(super) fn key(parts: &[String]) -> Option<(String, String)> {
    match parts {
        [name] => Some(("public".into(), name.clone())),
        [schema, name] => Some((schema.clone(), name.clone())),
        _ => None,
    }
}

struct Parsed<'d> {
    list: &'static str,
    index: usize,
    object: &'d SqlObject,
    statement: Statement,
}

/// Every statement of the five lists, parsed, of its list's kind.
fn parse_lists<'d>(ctx: &mut Ctx, doc: &'d SchemaDocument) -> Vec<Parsed<'d>> {
    let lists: [(&'static str, &[SqlObject], &[StatementKind]); 5] = [
        ("functions", &doc.functions, &[StatementKind::Function, StatementKind::Procedure]),
        ("triggers", &doc.triggers, &[StatementKind::Trigger]),
        ("policies", &doc.policies, &[StatementKind::Policy]),
        ("rules", &doc.rules, &[StatementKind::Rule]),
        ("grants", &doc.grants, &[StatementKind::Grant]),
    ];
    let mut parsed = Vec::new();
    for (list, objects, kinds) in lists {
        for (i, o) in objects.iter().enumerate() {
            let path = ptr(&[&list, &i, &"definition"]);
            match parse_statement(&o.definition) {
                Ok(s) if kinds.contains(&s.kind()) => parsed.push(Parsed { list, index: i, object: o, statement: s }),
                Ok(s) => ctx.error(
                    Code::InvalidExpression,
                    path,
                    format!(
                        "`{list}` holds {} statements, not a CREATE {}",
                        kinds[0].as_str(),
                        s.kind().as_str().to_uppercase()
                    ),
                ),
                Err(e) => ctx.error(Code::InvalidExpression, path, format!("the statement is not accepted: {e}")),
            }
        }
    }
    parsed
}

/// The document's routines by (namespace name, name), for what calls them.
pub(super) type Routines = HashMap<(String, String), String>;

/// Check the carried objects; their models (`None` when any has an error)
/// and the routines by name.
pub(super) fn check_carried(ctx: &mut Ctx, doc: &SchemaDocument) -> (Option<Vec<CarriedModel>>, Routines) {
    let before = ctx.errors();
    let parsed = parse_lists(ctx, doc);
    let (tables, relations) = relations_by_name(doc);
    let views: HashSet<(String, String)> = doc
        .views
        .iter()
        .filter_map(|v| Some((super::namespaces::namespace_name(doc, &v.namespace_id)?, v.name.clone())))
        .collect();
    let secured: HashSet<&str> = doc.tables.iter().filter(|t| t.row_level_security).map(|t| t.id.as_str()).collect();
    let namespaces: HashSet<String> =
        doc.namespaces.iter().map(|n| n.name.clone()).chain(std::iter::once("public".to_string())).collect();
    // Routines by (namespace, name): triggers and policies call them.
    let mut routines: HashMap<(String, String), &str> = HashMap::new();
    let mut signatures: HashMap<String, String> = HashMap::new();
    let mut per_table: HashMap<(&str, &'static str, String), String> = HashMap::new();
    let mut out = Vec::new();
    for p in &parsed {
        let path = ptr(&[&p.list, &p.index, &"definition"]);
        let kind = match p.statement.kind() {
            StatementKind::Function => CarriedKind::Function,
            StatementKind::Procedure => CarriedKind::Procedure,
            StatementKind::Trigger => CarriedKind::Trigger,
            StatementKind::Policy => CarriedKind::Policy,
            StatementKind::Rule => CarriedKind::Rule,
            StatementKind::Grant => CarriedKind::Grant,
        };
        let name = p.statement.name();
        // A trigger or policy is on a table; a rule on a table or view, a
        // grant on a table, view or sequence.
        let on = if matches!(kind, CarriedKind::Rule | CarriedKind::Grant) { &relations } else { &tables };
        if kind.is_routine() {
            match key(&name) {
                Some(k) if namespaces.contains(&k.0) => {
                    if let Some(sig) = p.statement.signature() {
                        if let Some(first) = signatures.insert(sig, path.clone()) {
                            ctx.error(
                                Code::DuplicateName,
                                path.clone(),
                                format!("a routine with this name and these argument types is already at {first}"),
                            );
                        }
                    }
                    routines.insert(k, p.object.id.as_str());
                }
                _ => ctx.error(
                    Code::UnknownReference,
                    path.clone(),
                    format!("routine \"{}\" is not in public or one of the document's namespaces", name.join(".")),
                ),
            }
        }
        for n in &name {
            if let Err(e) = Ident::parse(n) {
                ctx.error(Code::InvalidIdentifier, path.clone(), format!("name \"{}\" {e}", n.escape_debug()));
            }
        }
        let table_id = match p.statement.table() {
            None => None,
            Some(parts) => match key(&parts).and_then(|k| on.get(&k).copied()) {
                Some(id) => {
                    let own = name.concat();
                    // Grants have no name; any number may be on one object.
                    let named = kind != CarriedKind::Grant;
                    if let Some(first) = per_table.insert((id, p.list, own.clone()), path.clone()).filter(|_| named) {
                        ctx.error(
                            Code::DuplicateName,
                            path.clone(),
                            format!("{} \"{own}\" is already on this table at {first}", kind.as_str()),
                        );
                    }
                    if kind == CarriedKind::Policy && !secured.contains(id) {
                        ctx.warn(
                            Code::IgnoredSetting,
                            path.clone(),
                            format!("policy \"{own}\" has no effect until its table has rowLevelSecurity"),
                        );
                    }
                    Some(id.to_string())
                }
                None => {
                    ctx.error(
                        Code::UnknownReference,
                        path.clone(),
                        format!(
                            "the {} is on \"{}\", which is no table of the document",
                            kind.as_str(),
                            parts.join(".")
                        ),
                    );
                    None
                }
            },
        };
        let name = match (kind, p.statement.table()) {
            (CarriedKind::Grant, Some(on)) => vec![format!("on {}", on.join("."))],
            _ => name,
        };
        out.push((p, kind, name, table_id));
    }
    let mut models = Vec::new();
    for (p, kind, name, table_id) in out {
        let path = ptr(&[&p.list, &p.index, &"definition"]);
        let mut calls = Vec::new();
        for (i, called) in p.statement.calls().iter().enumerate() {
            match key(called).and_then(|k| routines.get(&k).copied()) {
                Some(id) => calls.push(id.to_string()),
                // A trigger's function is named explicitly: say when only
                // the server can find it.
                None if kind == CarriedKind::Trigger && i == 0 => ctx.warn(
                    Code::UnverifiedReference,
                    path.clone(),
                    format!("function \"{}\" is not one of the document's; PostgreSQL resolves it", called.join(".")),
                ),
                None => {}
            }
        }
        if kind == CarriedKind::Grant {
            ctx.warn(Code::UnverifiedReference, path.clone(), "the roles it grants to must exist on the server");
        } else {
            ctx.warn(
                Code::UnverifiedExpression,
                path.clone(),
                format!("PostgreSQL checks the {}'s body, types and names when it creates it", kind.as_str()),
            );
        }
        let relation = |parts: &[String]| key(parts).and_then(|k| relations.get(&k).map(|id| id.to_string()));
        let routine = |parts: &[String]| key(parts).and_then(|k| routines.get(&k).map(|id| id.to_string()));
        let type_names = if kind.is_routine() { p.statement.type_names() } else { Vec::new() };
        let before_tables = kind.is_routine()
            && !p.statement.has_sql_body()
            && type_names.iter().all(|n| key(n).is_none_or(|k| !relations.contains_key(&k)));
        let after_views = type_names.iter().any(|n| key(n).is_some_and(|k| views.contains(&k)));
        models.push(CarriedModel {
            before_tables,
            after_views,
            id: p.object.id.clone(),
            kind,
            name: name.join("."),
            sql: p.statement.sql().to_string(),
            replace_sql: p.statement.replace_sql().map(str::to_string),
            drop_sql: p.statement.drop_sql().map(str::to_string),
            replace_key: p.statement.replace_key(),
            table_id,
            calls,
            canonical: p.statement.canonical(&relation, &routine),
        });
    }
    let by_name = routines.into_iter().map(|(k, id)| (k, id.to_string())).collect();
    ((ctx.errors() == before).then_some(models), by_name)
}

#[cfg(test)]
mod tests {
    use super::super::tests::codes_at;
    use serde_json::{Value, json};

    fn doc(functions: Value, triggers: Value, policies: Value) -> Value {
        json!({"name": "x", "tables": [{"id": "t", "name": "t", "rowLevelSecurity": true, "columns": [
            {"id": "c", "name": "id", "dataType": "integer", "primaryKey": true}]}],
            "functions": functions, "triggers": triggers, "policies": policies})
    }

    fn errors(v: Value) -> Vec<(String, &'static str)> {
        codes_at(v).into_iter().filter(|(_, c)| *c != "UNVERIFIED_EXPRESSION").collect()
    }

    const F: &str = "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$";

    #[test]
    fn each_list_holds_its_kind_and_names_resolve() {
        let trigger =
            json!([{"id": "g", "definition": "CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"}]);
        assert_eq!(errors(doc(json!([{"id": "f", "definition": F}]), trigger.clone(), json!([]))), []);
        assert_eq!(
            errors(doc(json!([{"id": "f", "definition": F}]), json!([]), json!([{"id": "p", "definition": F}]))),
            [("/policies/0/definition".to_string(), "INVALID_EXPRESSION")]
        );
        let elsewhere = json!([{"id": "g", "definition": "CREATE TRIGGER g BEFORE INSERT ON nowhere FOR EACH ROW EXECUTE FUNCTION f()"}]);
        assert_eq!(
            errors(doc(json!([{"id": "f", "definition": F}]), elsewhere, json!([]))),
            [("/triggers/0/definition".to_string(), "UNKNOWN_REFERENCE")]
        );
        let outside = json!([{"id": "f", "definition": F.replace("FUNCTION f()", "FUNCTION other.f()")}]);
        assert_eq!(
            errors(doc(outside, json!([]), json!([]))),
            [("/functions/0/definition".to_string(), "UNKNOWN_REFERENCE")]
        );
        let twice =
            json!([{"id": "f", "definition": F}, {"id": "f2", "definition": F.replace("RETURN NEW", "RETURN NULL")}]);
        assert_eq!(
            errors(doc(twice, json!([]), json!([]))),
            [("/functions/1/definition".to_string(), "DUPLICATE_NAME")]
        );
        let overloads = json!([{"id": "f", "definition": F}, {"id": "f2", "definition": "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select a'"}]);
        assert_eq!(errors(doc(overloads, json!([]), json!([]))), [], "overloads differ by argument types");
        let same_trigger = json!([trigger[0].clone(), {"id": "g2", "definition": "CREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"}]);
        assert_eq!(
            errors(doc(json!([{"id": "f", "definition": F}]), same_trigger, json!([]))),
            [("/triggers/1/definition".to_string(), "DUPLICATE_NAME")]
        );
    }

    #[test]
    fn what_only_the_server_knows_is_said() {
        let builtin = json!([{"id": "g", "definition": "CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()"}]);
        let found = codes_at(doc(json!([]), builtin, json!([])));
        assert!(found.contains(&("/triggers/0/definition".to_string(), "UNVERIFIED_REFERENCE")), "{found:?}");
        let mut off =
            doc(json!([]), json!([]), json!([{"id": "p", "definition": "CREATE POLICY p ON t USING (true)"}]));
        off["tables"][0]["rowLevelSecurity"] = json!(false);
        assert!(codes_at(off).contains(&("/policies/0/definition".to_string(), "IGNORED_SETTING")));
        let schema = crate::ValidSchema::parse(crate::parse_document(&doc(
            json!([{"id": "f", "definition": F}]),
            json!([{"id": "g", "definition": "CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"}]),
            json!([]),
        ).to_string()).unwrap()).unwrap();
        let g = schema.model().carried.iter().find(|c| c.id == "g").unwrap();
        assert_eq!((g.table_id.as_deref(), g.calls.as_slice()), (Some("t"), ["f".to_string()].as_slice()));
    }
}
