//! Carried SQL objects (functions, procedures, triggers, policies) and
//! row-level security, matched by id.
//!
//! A routine whose definition changes is replaced in place (`CREATE OR
//! REPLACE`) when PostgreSQL allows it (the same name, parameters and
//! result); otherwise it is dropped and created again, and so are the
//! triggers and policies that call it. A trigger or policy is dropped and
//! created again when it changes, when its table is, or when a column of
//! its table changes type or goes (PostgreSQL refuses those under them).
//! Nothing is dropped that the new document still has.

use std::collections::HashSet;

use super::{Change, ChangeKind, Differ, Safety, Stage};
use crate::model::{CarriedKind, CarriedModel, TableModel};

impl Differ<'_> {
    /// Routines dropped and created again (a new name, parameters or
    /// result), by id: what calls them is created again around them.
    pub(super) fn remade_routines(&self) -> HashSet<String> {
        self.old_ix
            .model()
            .carried
            .iter()
            .filter(|o| o.kind.is_routine())
            .filter(|o| {
                self.new_ix.carried(&o.id).is_some_and(|n| n.canonical != o.canonical && n.replace_key != o.replace_key)
            })
            .map(|o| o.id.clone())
            .collect()
    }

    pub(super) fn carried(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        let tables = self.tables_views_cannot_keep();
        let new_by_id: std::collections::HashMap<&str, &CarriedModel> =
            new.carried.iter().map(|c| (c.id.as_str(), c)).collect();
        // Routines that go, or are dropped and created again.
        let mut remade: HashSet<&str> = HashSet::new();
        let mut going: Vec<(&CarriedModel, Option<String>)> = Vec::new();
        for o in old.carried.iter().filter(|c| c.kind.is_routine()) {
            match new_by_id.get(o.id.as_str()) {
                None => going.push((o, None)),
                Some(n) if n.canonical != o.canonical && n.replace_key != o.replace_key => {
                    remade.insert(o.id.as_str());
                    going.push((o, Some("its signature or result changes".into())));
                }
                Some(n) if n.canonical != o.canonical => self.push(
                    Stage::CreateRoutines,
                    Change::new(
                        ChangeKind::ReplaceRoutine { object_id: n.id.clone() },
                        Safety::Safe,
                        n.name.clone(),
                        format!("replace {} {} (CREATE OR REPLACE)", n.kind.as_str(), n.name),
                    )
                    .why("the new definition takes effect at once for every caller; nothing stored changes"),
                ),
                Some(_) => {}
            }
        }
        // Views dropped and created again: what is on them goes with them.
        let views_again: HashSet<&str> = self.stages[Stage::DropViews as usize]
            .iter()
            .filter_map(|c| match &c.kind {
                ChangeKind::DropView { view_id } if self.new_ix.view(view_id).is_some() => Some(view_id.as_str()),
                _ => None,
            })
            .collect();
        let mut dependents: Vec<(&CarriedModel, Option<String>)> = Vec::new();
        for o in old.carried.iter().filter(|c| !c.kind.is_routine()) {
            // A grant survives column changes; a trigger, policy or rule
            // blocks them.
            let under = |t: &str| self.replaced.contains(t) || (o.kind != CarriedKind::Grant && tables.contains(t));
            let why = match new_by_id.get(o.id.as_str()) {
                None => None,
                Some(n) if n.canonical != o.canonical => Some("its definition changes".to_string()),
                Some(_) => {
                    if let Some(v) = o.table_id.as_deref().filter(|v| views_again.contains(*v)) {
                        let shown = self.old_ix.view(v).map_or_else(|| v.to_string(), |v| v.shown());
                        Some(format!("view {shown} it is on is created again"))
                    } else if let Some(t) = o.table_id.as_deref().filter(|t| under(t)) {
                        let shown = self.old_ix.table(t).map_or_else(|| t.to_string(), TableModel::shown);
                        Some(format!("table {shown} changes a column type, loses a column or is created again"))
                    } else if let Some(r) = o.calls.iter().find(|r| remade.contains(r.as_str())) {
                        let shown = self.old_ix.carried(r).map_or_else(|| r.clone(), |c| c.name.clone());
                        Some(format!("routine {shown} it calls is created again"))
                    } else {
                        continue;
                    }
                }
            };
            dependents.push((o, why));
        }
        // Triggers, policies, rules and grants go first (before what they
        // are on), routines after the views that may call them.
        for (o, why) in dependents.iter().chain(going.iter()) {
            let description = match why {
                None => format!("drop {} {}", o.kind.as_str(), o.name),
                Some(w) => format!("drop {} {} (created again below: {w})", o.kind.as_str(), o.name),
            };
            let change = Change::new(
                ChangeKind::DropCarried { object_id: o.id.clone() },
                Safety::Safe,
                o.name.clone(),
                description,
            );
            let change = if why.is_none() {
                change.why("no row is touched; what used it (callers, the table's checks on writes) stops working")
            } else {
                change
            };
            // A routine that takes or returns a view's rows goes before the
            // view; the others after the views that may call them.
            let stage = if o.kind.is_routine() && !o.after_views { Stage::DropViews } else { Stage::DropCarried };
            self.push(stage, change);
        }
        let again: HashSet<&str> =
            dependents.iter().chain(going.iter()).filter(|(_, w)| w.is_some()).map(|(o, _)| o.id.as_str()).collect();
        for n in &new.carried {
            let is_new = self.old_ix.carried(&n.id).is_none();
            if !is_new && !again.contains(n.id.as_str()) {
                continue;
            }
            // A routine that takes or returns a view's rows needs the view:
            // after the views, before the triggers that may call it.
            let stage = match (n.kind.is_routine(), n.after_views) {
                (true, false) => Stage::CreateRoutines,
                _ => Stage::CreateTriggers,
            };
            let verb = if is_new { "create" } else { "create again" };
            self.push(
                stage,
                Change::new(
                    ChangeKind::CreateCarried { object_id: n.id.clone() },
                    Safety::Safe,
                    n.name.clone(),
                    format!("{verb} {} {}", n.kind.as_str(), n.name),
                ),
            );
        }
        for o in &old.tables {
            let Some(n) = self.new_ix.table(&o.id) else { continue };
            if o.row_level_security != n.row_level_security && !self.replaced.contains(&o.id) {
                let verb = if n.row_level_security { "enable" } else { "disable" };
                self.push(
                    Stage::AlterColumns,
                    Change::new(
                        ChangeKind::SetRowLevelSecurity { table_id: n.id.clone() },
                        Safety::Safe,
                        n.shown(),
                        format!("{verb} row level security on table {}", n.shown()),
                    )
                    .why("no row changes; which rows a role other than the owner sees (or may write) follows the policies from now on"),
                );
            }
        }
        for n in new.tables.iter().filter(|n| n.row_level_security) {
            if self.old_ix.table(&n.id).is_none() || self.replaced.contains(&n.id) {
                self.push_safe(
                    Stage::AlterColumns,
                    ChangeKind::SetRowLevelSecurity { table_id: n.id.clone() },
                    n.shown(),
                    format!("enable row level security on table {}", n.shown()),
                );
            }
        }
    }
}
