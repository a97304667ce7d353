//! Functions, procedures, triggers, policies, rules and grants, carried as
//! their statements; and the objects the document has no place for.

use schemaforge_domain::SqlObject;

use crate::catalog::RelationRow;
use crate::objects::lost_comment;
use crate::sql::{qi, qn};
use crate::{Importer, Origin, Outcome, display};

/// `CREATE OR REPLACE FUNCTION` as `pg_get_functiondef` prints it, as the
/// document carries it: `CREATE FUNCTION`, without the final newline.
fn without_or_replace(definition: &str) -> String {
    let text = definition.trim();
    match text.strip_prefix("CREATE OR REPLACE ") {
        Some(rest) => format!("CREATE {rest}"),
        None => text.to_string(),
    }
}

/// `CREATE POLICY` from the catalog's parts.
fn policy_statement(name: &str, table: &str, p: &crate::catalog::PolicyRow) -> String {
    let command = match p.command.as_str() {
        "r" => "SELECT",
        "a" => "INSERT",
        "w" => "UPDATE",
        "d" => "DELETE",
        _ => "ALL",
    };
    let roles: Vec<String> =
        p.roles.iter().flatten().map(|r| r.as_deref().map_or_else(|| "PUBLIC".to_string(), qi)).collect();
    let mut sql = format!(
        "CREATE POLICY {} ON {table} AS {} FOR {command}",
        qi(name),
        if p.permissive { "PERMISSIVE" } else { "RESTRICTIVE" }
    );
    if !roles.is_empty() {
        sql.push_str(&format!(" TO {}", roles.join(", ")));
    }
    if let Some(using) = &p.using {
        sql.push_str(&format!(" USING ({})", crate::printed::restore_array_casts(using)));
    }
    if let Some(check) = &p.check {
        sql.push_str(&format!(" WITH CHECK ({})", crate::printed::restore_array_casts(check)));
    }
    sql
}

impl<'a> Importer<'a> {
    /// Triggers, policies or rules with the relation each is on, in name
    /// order (relation, then their own): a database's oid order is its
    /// creation order, which a create script does not keep for these.
    fn on_relations<T>(&self, rows: &'a [T], key: fn(&T) -> (i64, &str)) -> Vec<(&'a RelationRow, &'a T)> {
        let mut out: Vec<_> = rows.iter().filter_map(|r| Some((*self.rel_rows.get(&key(r).0)?, r))).collect();
        out.sort_by(|(r1, x1), (r2, x2)| {
            (&r1.namespace, &r1.name, key(x1).1).cmp(&(&r2.namespace, &r2.name, key(x2).1))
        });
        out
    }

    /// Carry a statement in one of the document's lists.
    fn carry(&mut self, list: &'static str, id: String, name: String, definition: String) {
        self.origins.insert(id.clone(), Origin { kind: list, name, statement: Some(definition.clone()) });
        let object = SqlObject { id, definition };
        match list {
            "function" => self.doc.functions.push(object),
            "trigger" => self.doc.triggers.push(object),
            "policy" => self.doc.policies.push(object),
            "rule" => self.doc.rules.push(object),
            _ => self.doc.grants.push(object),
        }
    }

    /// A grant on a relation or sequence.
    pub(crate) fn grant(&mut self, namespace: &str, relation: &str, grantee: &str, statement: String) {
        let id = self.ids.make("g", &[namespace, relation, grantee]);
        self.carry("grant", id, format!("{} to {grantee}", display(namespace, relation)), statement);
    }

    pub(crate) fn carried(&mut self) {
        let cat = self.cat;
        // In name order: a database's oid order is its creation order,
        // which a create script does not keep for these.
        let mut routines: Vec<_> = cat.routines.iter().collect();
        routines.sort_by(|a, b| (&a.namespace, &a.name, &a.arguments).cmp(&(&b.namespace, &b.name, &b.arguments)));
        for r in routines {
            let name = format!("{}({})", display(&r.namespace, &r.name), r.arguments);
            let what = if r.kind == "p" { "PROCEDURE" } else { "FUNCTION" };
            let signature = format!("{} {}({})", what, qn(&r.namespace, &r.name), r.arguments);
            match &r.definition {
                Some(def) => {
                    let id = self.ids.make("fn", &[&r.namespace, &format!("{}({})", r.name, r.arguments)]);
                    self.carry("function", id, name.clone(), without_or_replace(def));
                }
                // Aggregates and window functions were reported before the
                // relations (views that call them follow them).
                None => continue,
            }
            if let Some(s) = lost_comment(&signature, &r.comment) {
                self.note(
                    "comment",
                    &name,
                    Outcome::Omitted,
                    "comments on functions are not in the document format",
                    Some(s),
                );
            }
            for (_, statement) in crate::sql::grants(&signature, &r.privileges) {
                self.note(
                    "privilege",
                    &name,
                    Outcome::Omitted,
                    "privileges on functions are not in the document format",
                    Some(statement),
                );
            }
            if r.public_revoked {
                let s = Some(format!("REVOKE EXECUTE ON {signature} FROM PUBLIC"));
                self.note(
                    "privilege",
                    &name,
                    Outcome::Omitted,
                    "privileges on functions are not in the document format",
                    s,
                );
            }
        }
        let triggers = self.on_relations(&cat.triggers, |t| (t.rel, t.name.as_str()));
        for (rel, t) in triggers {
            let name = format!("{}.{}", display(&rel.namespace, &rel.name), t.name);
            let on = qn(&rel.namespace, &rel.name);
            if t.constraint {
                self.note(
                    "trigger",
                    &name,
                    Outcome::Omitted,
                    "constraint triggers are not in the document format",
                    Some(t.definition.clone()),
                );
                continue;
            }
            let id = self.ids.make("tg", &[&rel.namespace, &rel.name, &t.name]);
            self.carry("trigger", id, name.clone(), t.definition.clone());
            let state = match t.enabled.as_str() {
                "D" => Some("DISABLE TRIGGER"),
                "R" => Some("ENABLE REPLICA TRIGGER"),
                "A" => Some("ENABLE ALWAYS TRIGGER"),
                _ => None,
            };
            if let Some(state) = state {
                let s = Some(format!("ALTER TABLE {on} {state} {}", qi(&t.name)));
                self.note(
                    "trigger",
                    &name,
                    Outcome::Adjusted,
                    "a trigger's enabled state is not in the document format",
                    s,
                );
            }
            if let Some(s) = lost_comment(&format!("TRIGGER {} ON {on}", qi(&t.name)), &t.comment) {
                self.note(
                    "comment",
                    &name,
                    Outcome::Omitted,
                    "comments on triggers are not in the document format",
                    Some(s),
                );
            }
        }
        let policies = self.on_relations(&cat.policies, |p| (p.rel, p.name.as_str()));
        for (rel, p) in policies {
            let name = format!("{}.{}", display(&rel.namespace, &rel.name), p.name);
            let on = qn(&rel.namespace, &rel.name);
            let id = self.ids.make("pol", &[&rel.namespace, &rel.name, &p.name]);
            self.carry("policy", id, name.clone(), policy_statement(&p.name, &on, p));
            if let Some(s) = lost_comment(&format!("POLICY {} ON {on}", qi(&p.name)), &p.comment) {
                self.note(
                    "comment",
                    &name,
                    Outcome::Omitted,
                    "comments on policies are not in the document format",
                    Some(s),
                );
            }
        }
        let rules = self.on_relations(&cat.rules, |r| (r.rel, r.name.as_str()));
        for (rel, r) in rules {
            let name = format!("{}.{}", display(&rel.namespace, &rel.name), r.name);
            let on = qn(&rel.namespace, &rel.name);
            let definition = r.definition.trim();
            let definition = definition.strip_suffix(';').unwrap_or(definition).to_string();
            let id = self.ids.make("r", &[&rel.namespace, &rel.name, &r.name]);
            self.carry("rule", id, name.clone(), definition);
            if r.enabled != "O" {
                self.note(
                    "rule",
                    &name,
                    Outcome::Adjusted,
                    "a rule's enabled state is not in the document format",
                    None,
                );
            }
            if let Some(s) = lost_comment(&format!("RULE {} ON {on}", qi(&r.name)), &r.comment) {
                self.note(
                    "comment",
                    &name,
                    Outcome::Omitted,
                    "comments on rules are not in the document format",
                    Some(s),
                );
            }
        }
    }

    /// Aggregates and window functions: not in the format; reported first,
    /// with `CREATE AGGREGATE` where the catalog says enough, so that the
    /// views that call them (omitted too) can follow in the report.
    pub(crate) fn aggregates(&mut self) {
        let cat = self.cat;
        let mut routines: Vec<_> = cat.routines.iter().filter(|r| r.definition.is_none()).collect();
        routines.sort_by(|a, b| (&a.namespace, &a.name, &a.arguments).cmp(&(&b.namespace, &b.name, &b.arguments)));
        for r in routines {
            let name = format!("{}({})", display(&r.namespace, &r.name), r.arguments);
            let kind = if r.kind == "a" { "aggregate" } else { "window function" };
            let statement = r.aggregate.as_ref().filter(|a| a.kind == "n").map(|a| {
                let mut parts = vec![format!("SFUNC = {}", a.sfunc), format!("STYPE = {}", a.stype)];
                if let Some(f) = &a.finalfunc {
                    parts.push(format!("FINALFUNC = {f}"));
                }
                if let Some(f) = &a.combinefunc {
                    parts.push(format!("COMBINEFUNC = {f}"));
                }
                if let Some(i) = &a.initcond {
                    parts.push(format!("INITCOND = {}", crate::sql::ql(i)));
                }
                if let Some(o) = &a.sortop {
                    let op = o.split('(').next().unwrap_or(o);
                    parts.push(format!("SORTOP = OPERATOR({op})"));
                }
                format!("CREATE AGGREGATE {}({}) ({})", qn(&r.namespace, &r.name), r.arguments, parts.join(", "))
            });
            self.omitted_routines.insert((r.namespace.clone(), r.name.clone()));
            let why = format!("{kind}s are not in the document format");
            let why = if statement.is_some() { why } else { format!("{why} (recreate it with pg_dump --schema-only)") };
            self.note(kind, &name, Outcome::Omitted, why, statement);
        }
    }

    pub(crate) fn others(&mut self) {
        let cat = self.cat;
        for o in &cat.others {
            let name = match &o.namespace {
                Some(ns) => display(ns, &o.name),
                None => o.name.clone(),
            };
            let reason = match o.definition {
                Some(_) => format!("{}: not in the document format", o.kind),
                None => format!("{}: not in the document format (recreate it with pg_dump --schema-only)", o.kind),
            };
            self.note(&o.kind, name, Outcome::Omitted, reason, o.definition.clone());
        }
    }
}
