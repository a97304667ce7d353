//! Views and materialized views, matched by id.
//!
//! PostgreSQL's views follow what they read by identity: a table or
//! column renamed (or a table moved) under a view keeps it working. So a
//! view whose canonical query (relations and columns by id) is unchanged
//! stays; only its own name, output column names, comment and indexes
//! change in place. A view is dropped and re-created when its query
//! changes, when a table it reads loses a column or has one change type
//! (PostgreSQL refuses `ALTER COLUMN TYPE` under a view), when it moves to
//! another namespace, and when a view it reads is re-created.

use std::collections::HashSet;

use super::renames::{PendingRename, resolve_renames};
use super::{Change, ChangeKind, Differ, Safety, Stage};
use crate::model::{ViewIndexModel, ViewModel, namespace_id};

const MATVIEW_RUNS: &str = "creating a materialized view runs its query over every row it reads; an error the query \
raises on some row (a failing cast, a division by zero) fails the migration";
const MATVIEW_INSTEAD: &str = "create it WITH NO DATA, then REFRESH MATERIALIZED VIEW outside the migration";

impl Differ<'_> {
    pub(super) fn views(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        let changed_tables = self.tables_views_cannot_keep();
        let remade = self.remade_routines();
        // Old views that go (dropped, or re-created), with why; in the old
        // model's order, a view comes after those it reads, so one pass
        // sees every reader of a re-created view.
        let mut going: Vec<(&ViewModel, Option<String>)> = Vec::new();
        let mut gone: HashSet<&str> = HashSet::new();
        for o in &old.views {
            let reason = match self.new_ix.view(&o.id) {
                None => None,
                Some(n) => {
                    let why = if o.shape != n.shape || o.materialized != n.materialized {
                        Some("its query changes".to_string())
                    } else if namespace_id(&o.namespace) != namespace_id(&n.namespace) {
                        Some("it moves to another namespace".to_string())
                    } else if let Some(r) = o.calls.iter().find(|r| remade.contains(r.as_str())) {
                        let shown = self.old_ix.carried(r).map_or_else(|| r.clone(), |c| c.name.clone());
                        Some(format!("routine {shown} it calls is created again"))
                    } else if let Some(t) = o.reads.iter().find(|id| changed_tables.contains(id.as_str())) {
                        let shown = self.old_ix.table(t).map_or_else(|| t.clone(), |t| t.shown());
                        Some(format!("table {shown} changes a column type or loses a column it may read"))
                    } else {
                        o.reads
                            .iter()
                            .find(|id| gone.contains(id.as_str()))
                            .map(|id| format!("{} {} it reads is re-created", self.view_kind(id), self.view_shown(id)))
                    };
                    match why {
                        Some(w) => Some(w),
                        None => continue,
                    }
                }
            };
            gone.insert(o.id.as_str());
            going.push((o, reason));
        }
        for (o, reason) in going.iter().rev() {
            let description = match reason {
                None => format!("drop {} {}", o.kind(), o.shown()),
                Some(why) => format!("drop {} {} (re-created below: {why})", o.kind(), o.shown()),
            };
            let change =
                Change::new(ChangeKind::DropView { view_id: o.id.clone() }, Safety::Safe, o.shown(), description);
            let change = if reason.is_none() {
                change.why(
                    "no rows are lost (a view stores none; a materialized view's rows come from its tables), but \
                    queries that read it fail from now on",
                )
            } else {
                change
            };
            self.push(Stage::DropViews, change);
        }
        for n in &new.views {
            let recreated = gone.contains(n.id.as_str()) && self.old_ix.view(&n.id).is_some();
            match self.old_ix.view(&n.id) {
                Some(o) if !recreated => self.kept_view(o, n),
                _ => self.create_view(n, recreated),
            }
        }
    }

    /// Old tables (by id) under which no view can stay: dropped, losing a
    /// column, or with a column that changes type or is re-created.
    pub(super) fn tables_views_cannot_keep(&self) -> HashSet<String> {
        let mut out: HashSet<String> =
            self.retyped.keys().chain(self.recreated.iter()).map(|(t, _)| t.clone()).collect();
        for o in &self.old_ix.model().tables {
            match self.new_ix.table(&o.id) {
                None => {
                    out.insert(o.id.clone());
                }
                Some(n) if o.columns.iter().any(|c| n.column(&c.id).is_none()) => {
                    out.insert(o.id.clone());
                }
                Some(_) => {}
            }
        }
        out
    }

    fn view_kind(&self, id: &str) -> &'static str {
        self.old_ix.view(id).map_or("view", ViewModel::kind)
    }

    fn view_shown(&self, id: &str) -> String {
        self.old_ix.view(id).map_or_else(|| id.to_string(), ViewModel::shown)
    }

    fn create_view(&mut self, n: &ViewModel, recreated: bool) {
        let verb = if recreated { "re-create" } else { "create" };
        let change = Change::new(
            ChangeKind::CreateView { view_id: n.id.clone() },
            Safety::Safe,
            n.shown(),
            format!("{verb} {} {}", n.kind(), n.shown()),
        );
        let change = if n.materialized {
            let change = change.risk(Safety::MayFail, MATVIEW_RUNS, MATVIEW_INSTEAD);
            if n.indexes.iter().any(|x| x.unique) {
                change.why(format!("{MATVIEW_RUNS}; a unique index fails on duplicate rows"))
            } else {
                change
            }
        } else {
            change
        };
        self.push(Stage::CreateViews, change);
    }

    fn kept_view(&mut self, o: &ViewModel, n: &ViewModel) {
        if o.name != n.name {
            let id = n.id.clone();
            self.relation_renames.push(
                PendingRename::new(n.kind(), n.shown(), o.name.to_string(), n.name.to_string(), move |from, to| {
                    ChangeKind::RenameView { view_id: id.clone(), from, to }
                })
                .prefix(n.namespace.as_ref().map(|ns| format!("{}.", ns.name)).unwrap_or_default()),
            );
        }
        if o.canonical != n.canonical {
            let mut renames = Vec::new();
            for (from, to) in o.columns.iter().zip(&n.columns).filter(|(a, b)| a != b) {
                let id = n.id.clone();
                let from = from.clone().unwrap_or_else(|| "?column?".into());
                let to = to.clone().unwrap_or_else(|| "?column?".into());
                renames.push(
                    PendingRename::new("column", format!("{}.{to}", n.shown()), from, to, move |from, to| {
                        ChangeKind::RenameViewColumn { view_id: id.clone(), from, to }
                    })
                    .prefix(format!("{}.", n.shown())),
                );
            }
            let (renames, _) = resolve_renames(renames, &mut self.temp, &HashSet::new());
            self.stages[Stage::RenameColumns as usize].extend(renames);
        }
        if o.comment != n.comment {
            let verb = if n.comment.is_some() { "set" } else { "remove" };
            self.push_safe(
                Stage::Comments,
                ChangeKind::SetViewComment { view_id: n.id.clone() },
                n.shown(),
                format!("{verb} comment on {} {}", n.kind(), n.shown()),
            );
        }
        self.view_indexes(o, n);
    }

    fn view_indexes(&mut self, o: &ViewModel, n: &ViewModel) {
        let same = |a: &ViewIndexModel, b: &ViewIndexModel| {
            a.positions == b.positions && a.unique == b.unique && a.method == b.method
        };
        for ox in &o.indexes {
            let kept = n.indexes.iter().find(|x| x.id == ox.id).filter(|nx| same(ox, nx));
            if kept.is_none() {
                self.push_safe(
                    Stage::DropConstraints,
                    ChangeKind::DropViewIndex { view_id: o.id.clone(), index_id: ox.id.clone() },
                    format!("{}.{}", o.shown(), ox.name),
                    format!("drop index {} of {} {}", ox.name, o.kind(), o.shown()),
                );
            }
        }
        for nx in &n.indexes {
            let target = format!("{}.{}", n.shown(), nx.name);
            match o.indexes.iter().find(|x| x.id == nx.id).filter(|ox| same(ox, nx)) {
                Some(ox) => {
                    if ox.name != nx.name {
                        let (view_id, index_id) = (n.id.clone(), nx.id.clone());
                        self.relation_renames.push(PendingRename::new(
                            "index",
                            target.clone(),
                            ox.name.to_string(),
                            nx.name.to_string(),
                            move |from, to| ChangeKind::RenameViewIndex {
                                view_id: view_id.clone(),
                                index_id: index_id.clone(),
                                from,
                                to,
                            },
                        ));
                    }
                    if ox.comment != nx.comment {
                        self.view_index_comment(n, nx);
                    }
                }
                None => {
                    let change = Change::new(
                        ChangeKind::AddViewIndex { view_id: n.id.clone(), index_id: nx.id.clone() },
                        Safety::LocksTable,
                        target,
                        format!("create index {} on {} {}", nx.name, n.kind(), n.shown()),
                    )
                    .why("building the index reads every row of the materialized view and blocks its refresh")
                    .instead("CREATE INDEX CONCURRENTLY outside a transaction");
                    let change = if nx.unique {
                        change.risk(
                            Safety::MayFail,
                            "a unique index fails if the view holds duplicate rows",
                            "check for duplicates first",
                        )
                    } else {
                        change
                    };
                    self.push(Stage::CreateViews, change);
                    if nx.comment.is_some() {
                        self.view_index_comment(n, nx);
                    }
                }
            }
        }
    }

    fn view_index_comment(&mut self, n: &ViewModel, x: &ViewIndexModel) {
        let verb = if x.comment.is_some() { "set" } else { "remove" };
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetViewIndexComment { view_id: n.id.clone(), index_id: x.id.clone() },
            format!("{}.{}", n.shown(), x.name),
            format!("{verb} comment on index {} of {} {}", x.name, n.kind(), n.shown()),
        );
    }
}
