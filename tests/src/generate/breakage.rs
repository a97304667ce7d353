//! Valid documents broken in a known way, with the code each must report.

use super::*;

/// How [`invalid_document`] broke a document, and the code it must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakage {
    /// A table name is empty.
    EmptyTableName,
    /// A column name is 64 bytes long.
    LongColumnName,
    /// A column name holds a control character.
    ControlCharacterName,
    /// Two tables share a name.
    DuplicateTableName,
    /// A column reuses its table's id.
    DuplicateId,
    /// A table lost its primary key.
    NoPrimaryKey,
    /// A column has an unknown type.
    UnknownType,
    /// varchar(0).
    ZeroLength,
    /// autoIncrement on text.
    AutoIncrementText,
    /// An integer default that is not a number.
    BadDefault,
    /// A function default outside the closed list.
    ForbiddenFunction,
    /// A check that does not parse.
    BrokenCheck,
    /// A check naming a missing column.
    CheckUnknownColumn,
    /// A foreign key to a missing table.
    DanglingForeignKey,
    /// An enum without values.
    EmptyEnum,
}

impl Breakage {
    /// Every kind.
    pub const ALL: [Breakage; 15] = [
        Self::EmptyTableName,
        Self::LongColumnName,
        Self::ControlCharacterName,
        Self::DuplicateTableName,
        Self::DuplicateId,
        Self::NoPrimaryKey,
        Self::UnknownType,
        Self::ZeroLength,
        Self::AutoIncrementText,
        Self::BadDefault,
        Self::ForbiddenFunction,
        Self::BrokenCheck,
        Self::CheckUnknownColumn,
        Self::DanglingForeignKey,
        Self::EmptyEnum,
    ];

    /// The problem code validation must report.
    pub fn expected_code(self) -> &'static str {
        match self {
            Self::EmptyTableName | Self::LongColumnName | Self::ControlCharacterName => "INVALID_IDENTIFIER",
            Self::DuplicateTableName => "DUPLICATE_NAME",
            Self::DuplicateId => "DUPLICATE_ID",
            Self::NoPrimaryKey => "MISSING_PRIMARY_KEY",
            Self::UnknownType => "UNSUPPORTED_DATA_TYPE",
            Self::ZeroLength => "INVALID_TYPE_PARAMETER",
            Self::AutoIncrementText => "INVALID_AUTO_INCREMENT",
            Self::BadDefault | Self::ForbiddenFunction => "INVALID_DEFAULT",
            Self::BrokenCheck => "INVALID_EXPRESSION",
            Self::CheckUnknownColumn | Self::DanglingForeignKey => "UNKNOWN_REFERENCE",
            Self::EmptyEnum => "INVALID_ENUM",
        }
    }

    /// Break `doc` in this way.
    pub fn apply(self, doc: &mut SchemaDocument, salt: usize) {
        let ti = salt % doc.tables.len();
        let extra = |id: &str, name: &str, ty: &str| Column::new(format!("broken_{id}"), format!("broken_{name}"), ty);
        let table = &mut doc.tables[ti];
        match self {
            Self::EmptyTableName => table.name = String::new(),
            Self::LongColumnName => table.columns[0].name = "c".repeat(64),
            Self::ControlCharacterName => table.columns[0].name = "bell\u{7}name".into(),
            Self::DuplicateTableName => {
                let mut copy = table.clone();
                copy.id = format!("{}_copy", copy.id);
                for c in &mut copy.columns {
                    c.id = format!("{}_copy", c.id);
                }
                for x in &mut copy.indexes {
                    x.id = format!("{}_copy", x.id);
                    x.name = None;
                    for ic in &mut x.column_ids {
                        // Expression elements read names, which the copy keeps.
                        if let IndexColumn::Id(id) | IndexColumn::Spec(IndexColumnSpec { column_id: Some(id), .. }) = ic
                        {
                            *id = format!("{id}_copy");
                        }
                    }
                    for id in &mut x.include {
                        *id = format!("{id}_copy");
                    }
                }
                for k in &mut copy.checks {
                    k.id = format!("{}_copy", k.id);
                }
                for u in &mut copy.uniques {
                    u.id = format!("{}_copy", u.id);
                    u.name = None;
                    u.column_ids = u.column_ids.iter().map(|i| format!("{i}_copy")).collect();
                }
                copy.primary_key = copy.primary_key.map(|ids| ids.iter().map(|i| format!("{i}_copy")).collect());
                doc.tables.push(copy);
            }
            Self::DuplicateId => table.columns[0].id = table.id.clone(),
            Self::NoPrimaryKey => {
                table.primary_key = None;
                table.columns.iter_mut().for_each(|c| c.primary_key = false);
            }
            Self::UnknownType => table.columns.push(extra("t", "geography", "geography")),
            Self::ZeroLength => {
                let mut c = extra("z", "zero", "varchar");
                c.length = Some(0);
                table.columns.push(c);
            }
            Self::AutoIncrementText => {
                let mut c = extra("a", "auto", "text");
                c.auto_increment = true;
                table.columns.push(c);
            }
            Self::BadDefault => {
                let mut c = extra("d", "default", "integer");
                c.default = Some(ColumnDefault::Literal(Literal::String("12; DROP TABLE x".into())));
                table.columns.push(c);
            }
            Self::ForbiddenFunction => {
                let mut c = extra("f", "function", "timestamptz");
                c.default = Some(ColumnDefault::Function(FunctionDefault { function: "pg_sleep(10)".into() }));
                table.columns.push(c);
            }
            Self::BrokenCheck => table.checks.push(Check {
                id: "broken_check".into(),
                name: None,
                expression: "1 + ) OR (".into(),
                comment: None,
            }),
            Self::CheckUnknownColumn => table.checks.push(Check {
                id: "broken_check".into(),
                name: None,
                expression: "\"no such column\" > 0".into(),
                comment: None,
            }),
            Self::DanglingForeignKey => {
                let col = table.columns[0].id.clone();
                let tid = table.id.clone();
                doc.foreign_keys.push(ForeignKey {
                    id: "broken_fk".into(),
                    name: None,
                    source_table_id: tid,
                    source_column_ids: None,
                    source_column_id: Some(col.clone()),
                    target_table_id: "no such table".into(),
                    target_column_ids: None,
                    target_column_id: Some(col),
                    on_delete: ReferentialAction::NoAction,
                    on_update: ReferentialAction::NoAction,
                    match_type: MatchType::Simple,
                    deferrable: false,
                    initially_deferred: false,
                    comment: None,
                });
            }
            Self::EmptyEnum => doc.enums.push(EnumType {
                id: "broken_enum".into(),
                name: "broken_enum".into(),
                namespace_id: None,
                values: vec![],
                comment: None,
            }),
        }
    }
}

/// A valid document broken in one known way.
pub fn invalid_document() -> impl Strategy<Value = (SchemaDocument, Breakage)> {
    (valid_document(), select(Breakage::ALL.to_vec()), any::<usize>()).prop_map(|(mut doc, breakage, salt)| {
        breakage.apply(&mut doc, salt);
        (doc, breakage)
    })
}
