//! Keys, checks, indexes and foreign keys: kept, renamed, re-created
//! around a type change, or added with the class their context gives them.

use super::*;

impl<'m> Differ<'m> {
    pub(super) fn key_set(table_id: &str, ids: &[String]) -> (String, BTreeSet<String>) {
        (table_id.to_string(), ids.iter().cloned().collect())
    }

    pub(super) fn keys(&mut self, o: &TableModel, n: &TableModel) {
        let tid = n.id.clone();
        let pk_drop = |k: &KeyConstraint| {
            Change::new(
                ChangeKind::DropPrimaryKey { table_id: o.id.clone() },
                Safety::Safe,
                format!("{}.{}", o.shown(), k.name),
                format!("drop primary key {} of {}", k.name, o.name),
            )
        };
        match (&o.primary_key, &n.primary_key) {
            (Some(ok), Some(nk))
                if ok.column_ids == nk.column_ids && !self.touches_recreated(&o.id, &ok.column_ids) =>
            {
                self.rename_key(n, ok, nk, ConstraintKind::PrimaryKey);
                return self.other_keys(o, n);
            }
            (Some(ok), _) => {
                self.dropped_keys.insert(Self::key_set(&o.id, &ok.column_ids));
                self.push(Stage::DropConstraints, pk_drop(ok));
            }
            (None, _) => {}
        }
        if let Some(nk) = &n.primary_key {
            self.push(
                Stage::AddConstraints,
                Change::new(
                    ChangeKind::AddPrimaryKey { table_id: tid.clone() },
                    Safety::Safe,
                    format!("{}.{}", n.shown(), nk.name),
                    format!("add primary key {} on {}", nk.name, n.shown()),
                )
                .risk(
                    Safety::MayFail,
                    "fails if existing rows hold duplicates or NULLs; builds an index under an exclusive lock that blocks \
                     reads and writes",
                    UNIQUE_INDEX_FIRST,
                ),
            );
        }
        self.other_keys(o, n);
    }

    /// UNIQUE constraints: kept, renamed, dropped or added. Table-level ones
    /// are matched by id, `unique: true` on a column by its columns; a
    /// change of columns, NULLS NOT DISTINCT or deferral re-creates the
    /// constraint (PostgreSQL alters neither in place).
    fn other_keys(&mut self, o: &TableModel, n: &TableModel) {
        let tid = n.id.clone();
        for u in &o.uniques {
            match counterpart(u, &n.uniques) {
                Some(nu) if same_key(u, nu) && !self.touches_recreated(&o.id, &u.column_ids) => {
                    self.rename_key(n, u, nu, ConstraintKind::Unique)
                }
                _ => {
                    self.dropped_keys.insert(Self::key_set(&o.id, &u.column_ids));
                    self.push_safe(
                        Stage::DropConstraints,
                        ChangeKind::DropUnique { table_id: tid.clone(), column_ids: u.column_ids.clone() },
                        format!("{}.{}", o.shown(), u.name),
                        format!("drop unique constraint {} of {}", u.name, o.name),
                    );
                }
            }
        }
        let nulls = self.new_null_columns(n);
        for nu in &n.uniques {
            let kept = counterpart(nu, &o.uniques)
                .is_some_and(|ou| same_key(ou, nu) && !self.touches_recreated(&o.id, &ou.column_ids));
            if !kept {
                let on_new_nulls = !nu.nulls_not_distinct && nu.column_ids.iter().any(|c| nulls.contains(c.as_str()));
                let (safety, why) = if on_new_nulls {
                    (
                        Safety::LocksTable,
                        "cannot fail (the new column holds only NULLs, which never collide), but builds an index \
                         under an exclusive lock that blocks reads and writes",
                    )
                } else {
                    (
                        Safety::MayFail,
                        "fails if existing rows hold duplicates; builds an index under an exclusive lock that blocks \
                         reads and writes",
                    )
                };
                self.push(
                    Stage::AddConstraints,
                    Change::new(
                        ChangeKind::AddUnique { table_id: tid.clone(), column_ids: nu.column_ids.clone() },
                        Safety::Safe,
                        format!("{}.{}", n.shown(), nu.name),
                        format!("add unique constraint {} on {}", nu.name, n.shown()),
                    )
                    .risk(safety, why, UNIQUE_INDEX_FIRST),
                );
            }
        }
    }

    fn rename_key(&mut self, n: &TableModel, o: &KeyConstraint, k: &KeyConstraint, kind: ConstraintKind) {
        if o.name == k.name {
            return;
        }
        let id = n.id.clone();
        self.relation_renames.push(
            PendingRename::new(
                if kind == ConstraintKind::PrimaryKey { "primary key" } else { "unique constraint" },
                format!("{}.{}", n.shown(), k.name),
                o.name.to_string(),
                k.name.to_string(),
                move |from, to| ChangeKind::RenameConstraint { table_id: id.clone(), constraint: kind, from, to },
            )
            .key(),
        );
    }

    pub(super) fn checks(&mut self, o: &TableModel, n: &TableModel) {
        let tid = n.id.clone();
        for k in &o.checks {
            let kept = n.checks.iter().find(|x| x.id == k.id);
            let rebuild = kept.is_some() && self.reads_retyped(&n.id, &k.expr);
            let same = kept.is_some_and(|nk| nk.expr.same_modulo_names(&k.expr)) && !rebuild;
            match kept {
                Some(nk) if same => {
                    if nk.name != k.name {
                        let id = tid.clone();
                        self.constraint_renames.push(PendingRename::new(
                            "check",
                            format!("{}.{}", n.shown(), nk.name),
                            k.name.to_string(),
                            nk.name.to_string(),
                            move |from, to| ChangeKind::RenameConstraint {
                                table_id: id.clone(),
                                constraint: ConstraintKind::Check,
                                from,
                                to,
                            },
                        ));
                    }
                }
                _ => {
                    let why = if rebuild { " (re-created around a column type change)" } else { "" };
                    self.push_safe(
                        Stage::DropConstraints,
                        ChangeKind::DropCheck { table_id: tid.clone(), check_id: k.id.clone() },
                        format!("{}.{}", o.shown(), k.name),
                        format!("drop check {} of {}{why}", k.name, o.name),
                    );
                    if let Some(nk) = kept {
                        self.add_check(n, nk, rebuild);
                    }
                }
            }
        }
        for nk in &n.checks {
            if !o.checks.iter().any(|x| x.id == nk.id) {
                self.add_check(n, nk, false);
            }
        }
    }

    fn add_check(&mut self, n: &TableModel, k: &crate::model::CheckModel, rebuild: bool) {
        let change = Change::new(
            ChangeKind::AddCheck { table_id: n.id.clone(), check_id: k.id.clone() },
            Safety::Safe,
            format!("{}.{}", n.shown(), k.name),
            format!("add check {} on {}{}", k.name, n.shown(), if rebuild { " (re-created)" } else { "" }),
        );
        let on_new_nulls = || {
            let nulls = self.new_null_columns(n);
            !nulls.is_empty() && nulls::check_on_nulls(&k.expr, &nulls) == Some(true)
        };
        let change = if rebuild {
            change.risk(Safety::LocksTable, "re-checking every row scans the table under an exclusive lock", NOT_VALID)
        } else if self.old_ix.table(&n.id).is_some() && on_new_nulls() {
            change.risk(
                Safety::LocksTable,
                "cannot fail: it reads columns this migration adds, which hold NULL in every existing row, and is \
                 not false whatever the other columns hold; checking every row still scans the table under an \
                 exclusive lock",
                NOT_VALID,
            )
        } else if self.old_ix.table(&n.id).is_some() {
            change.risk(
                Safety::MayFail,
                "fails if an existing row violates it; every row is checked under an exclusive lock",
                NOT_VALID,
            )
        } else {
            change
        };
        self.push(Stage::AddConstraints, change);
    }

    /// EXCLUDE constraints: matched by id, kept (renamed) while their
    /// definition stays, else dropped and added again; re-created around a
    /// type change or a recreated column they read.
    pub(super) fn exclusions(&mut self, o: &TableModel, n: &TableModel) {
        let reads_opaque = |d: &Self, x: &ExclusionModel| x.column_ids().iter().any(|c| d.opaque(&o.id, c));
        for x in &o.exclusions {
            let kept = n.exclusions.iter().find(|y| y.id == x.id);
            match kept {
                Some(nx) if nx.same_modulo_names(x) && !reads_opaque(self, x) => {
                    if nx.name != x.name {
                        let id = n.id.clone();
                        self.relation_renames.push(
                            PendingRename::new(
                                "exclusion constraint",
                                format!("{}.{}", n.shown(), nx.name),
                                x.name.to_string(),
                                nx.name.to_string(),
                                move |from, to| ChangeKind::RenameConstraint {
                                    table_id: id.clone(),
                                    constraint: ConstraintKind::Exclusion,
                                    from,
                                    to,
                                },
                            )
                            .key(),
                        );
                    }
                }
                _ => {
                    self.push_safe(
                        Stage::DropConstraints,
                        ChangeKind::DropExclusion {
                            table_id: o.id.clone(),
                            exclusion_id: x.id.clone(),
                            name: x.name.to_string(),
                        },
                        format!("{}.{}", o.shown(), x.name),
                        format!("drop exclusion constraint {} of {}", x.name, o.name),
                    );
                    if let Some(nx) = kept {
                        self.add_exclusion(n, nx);
                    }
                }
            }
        }
        for nx in &n.exclusions {
            if !o.exclusions.iter().any(|x| x.id == nx.id) {
                self.add_exclusion(n, nx);
            }
        }
    }

    fn add_exclusion(&mut self, n: &TableModel, x: &ExclusionModel) {
        self.push(
            Stage::AddConstraints,
            Change::new(
                ChangeKind::AddExclusion { table_id: n.id.clone(), exclusion_id: x.id.clone() },
                Safety::MayFail,
                format!("{}.{}", n.shown(), x.name),
                format!("add exclusion constraint {} on {}", x.name, n.shown()),
            )
            .why(
                "fails if two existing rows conflict (overlap, or are equal, by the operators); builds its index \
                 under an exclusive lock that blocks reads and writes",
            )
            .instead(
                "check for conflicting rows first; there is no NOT VALID for exclusions, so on a big table build \
                 it in a quiet window",
            ),
        );
    }

    pub(super) fn indexes(&mut self, o: &TableModel, n: &TableModel) {
        let tid = n.id.clone();
        for x in &o.indexes {
            let kept = index_by_id(n, &x.id);
            let rebuild = self.index_reads_retyped(&n.id, x) && kept.is_some();
            match kept {
                Some(nx) if same_index(x, nx) && !rebuild => {
                    if nx.storage != x.storage {
                        let reset: Vec<String> = x
                            .storage
                            .iter()
                            .filter(|(name, _)| !nx.storage.iter().any(|(n, _)| n == name))
                            .map(|(name, _)| name.clone())
                            .collect();
                        self.push(
                            Stage::AlterColumns,
                            Change::new(
                                ChangeKind::SetIndexStorage { table_id: tid.clone(), index_id: nx.id.clone(), reset },
                                Safety::Safe,
                                format!("{}.{}", n.shown(), nx.name),
                                format!("set storage parameters of index {} on {}", nx.name, n.shown()),
                            )
                            .why(
                                "the catalog alone changes: pages already written keep their layout (fillfactor \
                                 applies to new pages; REINDEX CONCURRENTLY applies it to all)",
                            ),
                        );
                    }
                    if nx.name != x.name {
                        let (id, xid) = (tid.clone(), nx.id.clone());
                        self.relation_renames.push(PendingRename::new(
                            "index",
                            format!("{}.{}", n.shown(), nx.name),
                            x.name.to_string(),
                            nx.name.to_string(),
                            move |from, to| ChangeKind::RenameIndex {
                                table_id: id.clone(),
                                index_id: xid.clone(),
                                from,
                                to,
                            },
                        ));
                    }
                }
                _ => {
                    if let Some(cols) = x.plain_column_ids().filter(|_| x.unique) {
                        let cols: Vec<String> = cols.into_iter().map(str::to_string).collect();
                        self.dropped_keys.insert(Self::key_set(&o.id, &cols));
                    }
                    self.push_safe(
                        Stage::DropConstraints,
                        ChangeKind::DropIndex { table_id: tid.clone(), index_id: x.id.clone() },
                        format!("{}.{}", o.shown(), x.name),
                        format!("drop index {} of {}", x.name, o.name),
                    );
                    if let Some(nx) = kept {
                        self.add_index(n, nx, true);
                    }
                }
            }
        }
        for nx in &n.indexes {
            if index_by_id(o, &nx.id).is_none() {
                self.add_index(n, nx, true);
            }
        }
    }

    pub(super) fn add_index(&mut self, n: &TableModel, x: &IndexModel, existing_table: bool) {
        let change = Change::new(
            ChangeKind::AddIndex { table_id: n.id.clone(), index_id: x.id.clone() },
            Safety::Safe,
            format!("{}.{}", n.shown(), x.name),
            format!("create {}index {} on {}", if x.unique { "unique " } else { "" }, x.name, n.shown()),
        );
        let nulls = self.new_null_columns(n);
        // A plain column that holds only NULLs puts a NULL in every entry,
        // and NULLs never collide (unless NULLS NOT DISTINCT).
        let on_new_nulls =
            !x.nulls_not_distinct && x.columns.iter().any(|c| c.column_id().is_some_and(|id| nulls.contains(id)));
        let change = match (existing_table, x.unique) {
            (false, _) => change,
            (true, true) if on_new_nulls => change.risk(
                Safety::LocksTable,
                "cannot fail (a column this migration adds holds only NULLs, which never collide), but building it \
                 blocks writes to the table",
                CONCURRENTLY,
            ),
            (true, true) => change.risk(
                Safety::MayFail,
                "fails if existing rows hold duplicates; building it blocks writes to the table",
                CONCURRENTLY,
            ),
            (true, false) => change.risk(
                Safety::LocksTable,
                "building the index blocks writes to the table until it is done",
                CONCURRENTLY,
            ),
        };
        self.push(Stage::AddIndexes, change);
    }

    // -------------------------------------------------------------- foreign keys

    fn fk_needs_rebuild(&self, fk: &ForeignKeyModel) -> bool {
        let opaque = |table: &str, cols: &[String]| cols.iter().any(|c| self.opaque(table, c));
        opaque(&fk.source_table_id, &fk.source_column_ids)
            || opaque(&fk.target_table_id, &fk.target_column_ids)
            || self.dropped_keys.contains(&Self::key_set(&fk.target_table_id, &fk.target_column_ids))
            || self.replaced.contains(&fk.source_table_id)
            || self.replaced.contains(&fk.target_table_id)
    }

    fn fk_target(model: &ModelIndex<'_>, fk: &ForeignKeyModel) -> String {
        let table = model.table(&fk.source_table_id).map(TableModel::shown).unwrap_or_default();
        format!("{table}.{}", fk.name)
    }

    pub(super) fn foreign_keys(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        for fk in &old.foreign_keys {
            let kept = self.new_ix.foreign_key(&fk.id);
            let rebuild = kept.is_some_and(|n| same_foreign_key(fk, n)) && self.fk_needs_rebuild(fk);
            match kept {
                Some(n) if same_foreign_key(fk, n) && !rebuild => {
                    if n.name != fk.name {
                        let id = n.source_table_id.clone();
                        self.constraint_renames.push(PendingRename::new(
                            "foreign key",
                            Self::fk_target(&self.new_ix, n),
                            fk.name.to_string(),
                            n.name.to_string(),
                            move |from, to| ChangeKind::RenameConstraint {
                                table_id: id.clone(),
                                constraint: ConstraintKind::ForeignKey,
                                from,
                                to,
                            },
                        ));
                    }
                }
                _ => {
                    // Only the actions or deferral change (or MATCH FULL is
                    // dropped): the rows satisfied the key before, so they
                    // satisfy it again. MATCH FULL added can fail on a row
                    // whose key is partly NULL.
                    let actions = kept.is_some_and(|n| {
                        same_columns(fk, n) && !same_foreign_key(fk, n) && (fk.match_full || !n.match_full)
                    });
                    let why = if rebuild {
                        " (re-created around a key or type change)"
                    } else if actions {
                        " (re-created with new actions)"
                    } else {
                        ""
                    };
                    self.push_safe(
                        Stage::DropForeignKeys,
                        ChangeKind::DropForeignKey { foreign_key_id: fk.id.clone() },
                        Self::fk_target(&self.old_ix, fk),
                        format!("drop foreign key {}{why}", Self::fk_target(&self.old_ix, fk)),
                    );
                    if let Some(n) = kept {
                        self.add_foreign_key(n, rebuild || actions);
                    }
                }
            }
        }
        for n in &new.foreign_keys {
            if self.old_ix.foreign_key(&n.id).is_none() {
                self.add_foreign_key(n, false);
            }
        }
    }

    fn add_foreign_key(&mut self, fk: &ForeignKeyModel, rebuild: bool) {
        let target = Self::fk_target(&self.new_ix, fk);
        let change = Change::new(
            ChangeKind::AddForeignKey { foreign_key_id: fk.id.clone() },
            Safety::Safe,
            target.clone(),
            format!("add foreign key {target}{}", if rebuild { " (re-created)" } else { "" }),
        );
        let existing = self.old_ix.table(&fk.source_table_id).is_some();
        // MATCH SIMPLE: a row with a NULL in the key is not checked; MATCH
        // FULL: only a row whose key is all NULL is not.
        let on_new_nulls = self.new_ix.table(&fk.source_table_id).is_some_and(|t| {
            let nulls = self.new_null_columns(t);
            let null = |c: &String| nulls.contains(c.as_str());
            if fk.match_full { fk.source_column_ids.iter().all(null) } else { fk.source_column_ids.iter().any(null) }
        });
        let change = match (existing, rebuild) {
            (false, _) => change,
            (true, false) if on_new_nulls => change.risk(
                Safety::LocksTable,
                "cannot fail (a column this migration adds holds only NULLs, which are not checked), but \
                 validating scans the referencing table while blocking writes to both tables",
                NOT_VALID,
            ),
            (true, true) => change.risk(
                Safety::LocksTable,
                "re-validating scans the referencing table while blocking writes to both tables",
                NOT_VALID,
            ),
            (true, false) => change.risk(
                Safety::MayFail,
                "fails if an existing row references a missing key; validation blocks writes to both tables",
                NOT_VALID,
            ),
        };
        self.push(Stage::AddForeignKeys, change);
    }
}

/// The key of `list` that `k` becomes (or came from): the same id for a
/// table-level constraint, else (or failing that, one without an id over)
/// the same columns.
fn counterpart<'k>(k: &KeyConstraint, list: &'k [KeyConstraint]) -> Option<&'k KeyConstraint> {
    k.id.as_ref()
        .and_then(|id| list.iter().find(|x| x.id.as_ref() == Some(id)))
        .or_else(|| list.iter().find(|x| x.column_ids == k.column_ids && (k.id.is_none() || x.id.is_none())))
}

/// Whether two unique keys are the same constraint but for the name.
fn same_key(a: &KeyConstraint, b: &KeyConstraint) -> bool {
    a.column_ids == b.column_ids && a.nulls_not_distinct == b.nulls_not_distinct && a.deferral == b.deferral
}
