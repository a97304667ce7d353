//! Statements for carried SQL objects and row-level security.

use schemaforge_domain::{CarriedModel, ChangeKind, ModelIndex};

use super::Cx;
use crate::postgres::Postgres;
use crate::script::Statement;

fn carried<'m>(m: &ModelIndex<'m>, id: &str) -> Option<&'m CarriedModel> {
    m.carried(id)
}

impl Postgres {
    /// The statements of a change to a carried object; `None` for another kind of change.
    pub(super) fn carried_statements(&self, cx: &Cx<'_>) -> Option<Option<Vec<Statement>>> {
        let (from, to) = (cx.from, cx.to);
        Some(match &cx.change.kind {
            // First in the script: the old names.
            ChangeKind::DropCarried { object_id } => {
                carried(from, object_id).and_then(|c| Some(vec![self.drop_carried(from, c, false)?]))
            }
            ChangeKind::CreateCarried { object_id } => carried(to, object_id).map(|c| vec![self.create_carried(c)]),
            ChangeKind::ReplaceRoutine { object_id } => {
                carried(to, object_id).and_then(|c| Some(vec![self.replace_routine(c)?]))
            }
            ChangeKind::SetRowLevelSecurity { table_id } => to.table(table_id).map(|t| vec![self.row_security(t)]),
            _ => return None,
        })
    }
}
