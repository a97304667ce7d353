//! Text search configurations, matched by id: created after the extensions
//! whose dictionaries they use and before the tables, renamed, moved with
//! the types, their mappings altered token type by token type, dropped and
//! created again for a new parser (PostgreSQL cannot change it in place).

use super::*;
use crate::model::TextSearchConfigModel;

impl Differ<'_> {
    pub(super) fn text_search(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        for o in &old.text_search {
            match self.new_ix.text_search(&o.id) {
                Some(n) => self.changed_text_search(o, n),
                // Before the extensions whose dictionaries it may use.
                None => {
                    let name = self.text_search_out_of_the_way(o);
                    self.push(
                        Stage::DropEnums,
                        Change::new(
                            ChangeKind::DropTextSearchConfig { config_id: o.id.clone(), name },
                            Safety::MayFail,
                            o.name.as_str(),
                            format!("drop text search configuration {}", o.name),
                        )
                        .why("fails while an index or a column default names it as a regconfig constant")
                        .instead("move what uses it to another configuration first"),
                    );
                }
            }
        }
        for n in &new.text_search {
            if self.old_ix.text_search(&n.id).is_none() {
                self.push_safe(
                    Stage::Enums,
                    ChangeKind::CreateTextSearchConfig { config_id: n.id.clone() },
                    n.name.as_str(),
                    format!("create text search configuration {}", n.name),
                );
                if n.comment.is_some() {
                    self.text_search_comment(n);
                }
            }
        }
    }

    fn changed_text_search(&mut self, o: &TextSearchConfigModel, n: &TextSearchConfigModel) {
        if o.name != n.name {
            self.push_safe(
                Stage::RenameRelations,
                ChangeKind::RenameTextSearchConfig {
                    config_id: n.id.clone(),
                    from: o.name.to_string(),
                    to: n.name.to_string(),
                },
                n.name.as_str(),
                format!("rename text search configuration {} to {}", o.name, n.name),
            );
        }
        if o.parser != n.parser {
            self.push(
                Stage::Enums,
                Change::new(
                    ChangeKind::RecreateTextSearchConfig { config_id: n.id.clone() },
                    Safety::MayFail,
                    n.name.as_str(),
                    format!("drop text search configuration {} and create it again with parser {}", n.name, n.parser),
                )
                .why("PostgreSQL cannot change a configuration's parser: the drop fails while an index names it")
                .instead("create a configuration under another name and move what uses it"),
            );
        } else if o.dictionaries_by_token() != n.dictionaries_by_token() {
            self.push(
                Stage::Enums,
                Change::new(
                    ChangeKind::AlterTextSearchMappings { config_id: n.id.clone() },
                    Safety::Safe,
                    n.name.as_str(),
                    format!("change the mappings of text search configuration {}", n.name),
                )
                .why(
                    "no row is touched; stored tsvector values and indexes built with the old mappings stay as they \
                     were until they are computed again",
                )
                .instead(
                    "REINDEX the indexes over to_tsvector with this configuration, and recompute stored tsvectors",
                ),
            );
        }
        if o.comment != n.comment {
            self.text_search_comment(n);
        }
    }

    /// A dropped configuration's name at its drop: renamed away first when
    /// a new configuration of the namespace takes it.
    fn text_search_out_of_the_way(&mut self, o: &TextSearchConfigModel) -> String {
        let place = |c: &TextSearchConfigModel| c.namespace.as_ref().map(|n| n.id.clone());
        let taken = self.new_ix.model().text_search.iter().any(|n| n.name == o.name && place(n) == place(o));
        let id = o.id.clone();
        self.out_of_the_way("text search configuration", &o.name, taken, "a new one takes its name", |from, to| {
            ChangeKind::RenameTextSearchConfig { config_id: id, from, to }
        })
    }

    fn text_search_comment(&mut self, n: &TextSearchConfigModel) {
        let verb = if n.comment.is_some() { "set" } else { "remove" };
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetTextSearchConfigComment { config_id: n.id.clone() },
            n.name.as_str(),
            format!("{verb} comment on text search configuration {}", n.name),
        );
    }
}
