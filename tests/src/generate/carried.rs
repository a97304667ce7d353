//! The carried objects of generated documents, from a fixed pool: a
//! trigger function and a trigger on the first table, a function its
//! policy calls, row-level security, a rule and a grant there. Each trigger's and policy's
//! id says which table it is on (`g|{table id}`, `p|{table id}`);
//! [`refresh_carried`] writes their statements again from the current
//! names after every edit.

use super::*;
use schemaforge_domain::SqlObject;

const TOUCH: &str = "CREATE FUNCTION touch_it() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$";
const TOUCH_AGAIN: &str = "CREATE FUNCTION touch_it() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' THEN NULL; END IF; RETURN NEW; END $$";
const LABEL: &str = "CREATE FUNCTION label_of(n integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT n::text $$";
const LABEL_WIDER: &str =
    "CREATE FUNCTION label_of(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT n::text $$";

fn object(id: String, definition: &str) -> SqlObject {
    SqlObject { id, definition: definition.into() }
}

/// The pool, on the document's first table.
pub fn initial_carried(doc: &mut SchemaDocument) {
    let Some(first) = doc.tables.first_mut() else { return };
    first.row_level_security = true;
    let id = first.id.clone();
    doc.functions = vec![object("fn_touch".into(), TOUCH), object("fn_label".into(), LABEL)];
    doc.triggers = vec![object(format!("g|{id}"), "")];
    doc.policies = vec![object(format!("p|{id}"), "")];
    doc.rules = vec![object(format!("r|{id}"), "")];
    doc.grants = vec![object(format!("a|{id}"), "")];
}

/// Write every trigger's and policy's statement again from the current
/// names; drop those whose table is gone.
pub fn refresh_carried(doc: &mut SchemaDocument) {
    let table = |doc: &SchemaDocument, id: &str| {
        let t = doc.tables.iter().find(|t| t.id == id)?;
        let ns = t.namespace_id.as_ref().and_then(|n| doc.namespaces.iter().find(|x| &x.id == n));
        Some(match ns {
            Some(ns) => format!("{}.{}", quote(&ns.name), quote(&t.name)),
            None => quote(&t.name),
        })
    };
    let triggers = std::mem::take(&mut doc.triggers);
    doc.triggers = triggers
        .into_iter()
        .filter_map(|mut g| {
            let on = table(doc, g.id.strip_prefix("g|")?)?;
            let timing = if g.definition.contains("AFTER") { "AFTER" } else { "BEFORE" };
            let name = if g.definition.contains("touched") { "touched" } else { "touch" };
            g.definition =
                format!("CREATE TRIGGER {name} {timing} UPDATE ON {on} FOR EACH ROW EXECUTE FUNCTION touch_it()");
            doc.functions.iter().any(|f| f.id == "fn_touch").then_some(g)
        })
        .collect();
    let policies = std::mem::take(&mut doc.policies);
    doc.policies = policies
        .into_iter()
        .filter_map(|mut p| {
            let on = table(doc, p.id.strip_prefix("p|")?)?;
            let test = if p.definition.contains("IS NULL") { "IS NULL" } else { "IS NOT NULL" };
            p.definition = format!("CREATE POLICY readers ON {on} USING (label_of(1) {test})");
            doc.functions.iter().any(|f| f.id == "fn_label").then_some(p)
        })
        .collect();
    let rules = std::mem::take(&mut doc.rules);
    doc.rules = rules
        .into_iter()
        .filter_map(|mut r| {
            let on = table(doc, r.id.strip_prefix("r|")?)?;
            r.definition = format!("CREATE RULE quiet AS ON DELETE TO {on} DO INSTEAD NOTHING");
            Some(r)
        })
        .collect();
    let grants = std::mem::take(&mut doc.grants);
    doc.grants = grants
        .into_iter()
        .filter_map(|mut g| {
            let on = table(doc, g.id.strip_prefix("a|")?)?;
            let privileges = if g.definition.contains("INSERT") { "SELECT, INSERT" } else { "SELECT" };
            g.definition = format!("GRANT {privileges} ON {on} TO PUBLIC");
            Some(g)
        })
        .collect();
}

/// Replace a function's body, widen a function's argument (its policy is
/// created again), rename or re-time the trigger, drop the trigger or
/// bring the pool back, change the policy, toggle row-level security.
pub fn edit_carried(doc: &mut SchemaDocument, salt: usize) {
    let flip = |o: &mut SqlObject, a: &str, b: &str| o.definition = if o.definition == a { b.into() } else { a.into() };
    match salt % 9 {
        0 => doc.functions.iter_mut().filter(|f| f.id == "fn_touch").for_each(|f| flip(f, TOUCH, TOUCH_AGAIN)),
        1 => doc.functions.iter_mut().filter(|f| f.id == "fn_label").for_each(|f| flip(f, LABEL, LABEL_WIDER)),
        2 => doc.triggers.iter_mut().for_each(|g| {
            g.definition = if g.definition.contains("touched") { "touch".into() } else { "touched".into() };
        }),
        3 => doc.triggers.iter_mut().for_each(|g| {
            g.definition = if g.definition.contains("AFTER") { "BEFORE".into() } else { "AFTER".into() };
        }),
        4 if !doc.triggers.is_empty() => doc.triggers.clear(),
        4 => initial_carried(doc),
        5 => doc.policies.iter_mut().for_each(|p| {
            p.definition = if p.definition.contains("IS NULL") { String::new() } else { "IS NULL".into() };
        }),
        6 => doc.grants.iter_mut().for_each(|g| {
            g.definition = if g.definition.contains("INSERT") { String::new() } else { "INSERT".into() };
        }),
        7 if !doc.rules.is_empty() => doc.rules.clear(),
        _ => {
            if let Some(t) = doc.tables.first_mut() {
                t.row_level_security = !t.row_level_security;
            }
        }
    }
}
