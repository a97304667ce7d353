//! Standalone sequences, matched by id: created before the tables whose
//! defaults use them, owned once those tables exist, renamed, altered in
//! place, dropped after the defaults that used them.

use super::*;
use crate::model::SequenceModel;

/// Significant digits of each sequence type's range.
fn rank(b: &BaseType) -> u8 {
    match b {
        BaseType::SmallInt => 0,
        BaseType::Integer => 1,
        _ => 2,
    }
}

impl Differ<'_> {
    pub(super) fn sequences(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        for o in &old.sequences {
            match self.new_ix.sequence(&o.id) {
                Some(n) => self.changed_sequence(o, n),
                None => self.push(
                    Stage::DropExtensions,
                    Change::new(
                        ChangeKind::DropSequence { sequence_id: o.id.clone(), name: o.name.to_string() },
                        Safety::DataLoss,
                        o.name.as_str(),
                        format!("drop sequence {}", o.name),
                    )
                    .why("its current position is lost: the down script starts it again, so new rows can repeat numbers already used")
                    .instead("keep the sequence until nothing will need its numbers again"),
                ),
            }
        }
        for n in &new.sequences {
            if self.old_ix.sequence(&n.id).is_none() {
                self.push_safe(
                    Stage::CreateExtensions,
                    ChangeKind::CreateSequence { sequence_id: n.id.clone() },
                    n.name.as_str(),
                    format!("create sequence {}", n.name),
                );
                if n.owned_by.is_some() {
                    self.sequence_owner(n);
                }
                if n.comment.is_some() {
                    self.sequence_comment(n);
                }
            }
        }
    }

    fn changed_sequence(&mut self, o: &SequenceModel, n: &SequenceModel) {
        if o.name != n.name {
            let id = n.id.clone();
            self.relation_renames.push(PendingRename::new(
                "sequence",
                n.name.to_string(),
                o.name.to_string(),
                n.name.to_string(),
                move |from, to| ChangeKind::RenameStandaloneSequence { sequence_id: id.clone(), from, to },
            ));
        }
        if o.ty != n.ty || o.options != n.options {
            let narrows = rank(&n.ty) < rank(&o.ty) || super::identity::narrows(&o.options, &n.options);
            let change = Change::new(
                ChangeKind::AlterStandaloneSequence { sequence_id: n.id.clone() },
                if narrows { Safety::MayFail } else { Safety::Safe },
                n.name.as_str(),
                format!("change the type or options of sequence {}", n.name),
            );
            let change = if narrows {
                change
                    .why("fails if the sequence's current value lies outside the new type or bounds")
                    .instead("check the sequence's last_value against the new bounds first")
            } else {
                change.why("only the sequence's settings change; no row is touched")
            };
            self.push(Stage::AlterColumns, change);
        }
        if o.owned_by != n.owned_by {
            self.sequence_owner(n);
        }
        if o.comment != n.comment {
            self.sequence_comment(n);
        }
    }

    fn sequence_owner(&mut self, n: &SequenceModel) {
        self.push_safe(
            Stage::AddConstraints,
            ChangeKind::SetSequenceOwner { sequence_id: n.id.clone() },
            n.name.as_str(),
            format!("set the owner of sequence {}", n.name),
        );
    }

    fn sequence_comment(&mut self, n: &SequenceModel) {
        let verb = if n.comment.is_some() { "set" } else { "remove" };
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetSequenceComment { sequence_id: n.id.clone() },
            n.name.as_str(),
            format!("{verb} comment on sequence {}", n.name),
        );
    }
}
