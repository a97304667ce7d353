//! Statements for views and materialized views.

use schemaforge_domain::ChangeKind;

use super::Cx;
use crate::postgres::Postgres;
use crate::script::{Statement, StatementKind};

impl Postgres {
    /// The statements of a change to a view; `None` for another kind of change.
    pub(super) fn views_statements(&self, cx: &Cx<'_>) -> Option<Option<Vec<Statement>>> {
        let (from, to) = (cx.from, cx.to);
        Some(match &cx.change.kind {
            // First in the script: the old names, before anything is renamed.
            ChangeKind::DropView { view_id } => from.view(view_id).map(|v| vec![self.drop_view(v, false)]),
            ChangeKind::CreateView { view_id } => to.view(view_id).map(|v| {
                let mut out = vec![self.create_view(v)];
                out.extend(v.indexes.iter().map(|x| self.create_view_index(v, x)));
                if v.comment.is_some() {
                    out.push(self.view_comment(v));
                }
                out.extend(v.indexes.iter().filter(|x| x.comment.is_some()).map(|x| self.view_index_comment(v, x)));
                out
            }),
            ChangeKind::RenameView { view_id, from: a, to: b } => to.view(view_id).map(|v| {
                let schema = cx.during(view_id, Some(&v.namespace), from.view(view_id).map(|o| &o.namespace));
                let what = if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" };
                cx.rename(what, schema, a, b)
            }),
            // After the relation renames: the view has its new name.
            ChangeKind::RenameViewColumn { view_id, from: a, to: b } => to
                .view(view_id)
                .map(|v| vec![self.alter_view(v, &format!("RENAME COLUMN {} TO {}", self.qi(a), self.qi(b)))]),
            ChangeKind::SetViewComment { view_id } => to.view(view_id).map(|v| vec![self.view_comment(v)]),
            ChangeKind::AddViewIndex { view_id, index_id } => to
                .view(view_id)
                .and_then(|v| Some(vec![self.create_view_index(v, v.indexes.iter().find(|x| &x.id == index_id)?)])),
            ChangeKind::DropViewIndex { view_id, index_id } => from.view(view_id).and_then(|v| {
                let x = v.indexes.iter().find(|x| &x.id == index_id)?;
                Some(cx.st(StatementKind::DropIndex, format!("DROP INDEX {}", self.view_index_name(v, x))))
            }),
            ChangeKind::RenameViewIndex { view_id, from: a, to: b, .. } => to.view(view_id).map(|v| {
                let schema = cx.during(view_id, Some(&v.namespace), from.view(view_id).map(|o| &o.namespace));
                cx.rename("INDEX", schema, a, b)
            }),
            ChangeKind::SetViewIndexComment { view_id, index_id } => to
                .view(view_id)
                .and_then(|v| Some(vec![self.view_index_comment(v, v.indexes.iter().find(|x| &x.id == index_id)?)])),
            _ => return None,
        })
    }
}
