//! Identity columns that stay identity columns: `ALWAYS` vs `BY DEFAULT`
//! and the sequence's options, altered in place.

use super::*;
use crate::model::{Identity, SequenceOptions};

impl Differ<'_> {
    pub(super) fn identity_settings(
        &mut self,
        a: &Identity,
        b: &Identity,
        target: &str,
        (table_id, column_id): (String, String),
    ) {
        if a.always != b.always {
            self.push_safe(
                Stage::AlterColumns,
                ChangeKind::SetIdentityGeneration {
                    table_id: table_id.clone(),
                    column_id: column_id.clone(),
                    always: b.always,
                },
                target.to_string(),
                format!("generate {target} {}", if b.always { "ALWAYS" } else { "BY DEFAULT" }),
            );
        }
        if a.options != b.options {
            let change = Change::new(
                ChangeKind::AlterSequenceOptions { table_id, column_id },
                Safety::Safe,
                target.to_string(),
                format!("change the sequence options of {target}"),
            )
            .why("only the sequence's settings change; no row is touched");
            let change = if narrows(&a.options, &b.options) {
                change.risk(
                    Safety::MayFail,
                    "fails if the sequence's current value lies outside the new minimum or maximum",
                    "check the sequence's last_value against the new bounds first",
                )
            } else {
                change
            };
            self.push(Stage::AlterColumns, change);
        }
    }
}

/// Whether the new bounds exclude values the old ones allowed.
pub(super) fn narrows(a: &SequenceOptions, b: &SequenceOptions) -> bool {
    let raised = match (a.min_value, b.min_value) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(x), Some(y)) => y > x,
    };
    let lowered = match (a.max_value, b.max_value) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(x), Some(y)) => y < x,
    };
    raised || lowered
}
