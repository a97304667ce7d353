//! Migrations run on PostgreSQL: for random documents A and random edits B
//! of A, A's database with rows in it, migrated up, has exactly the
//! structure of a fresh database built from B, keeps the rows of the columns
//! that survive (renames included), and migrated down has A's structure
//! again. An up migration may fail on the rows only when the change set
//! says it may (`may_fail` or `data_loss`).
//!
//! `PROPTEST_CASES` raises the number of cases; `PROPTEST_RNG_SEED` fixes the seed.

use diesel::PgConnection;
use proptest::test_runner::TestCaseError;
use schemaforge_domain::{BaseType, ChangeKind, ColumnModel, ColumnType, Model, Safety, TableModel, ValidSchema};
use schemaforge_sqlgen::{Dialect, Migration, Postgres, Script, create_script, migration};
use schemaforge_testdb::execute;
use schemaforge_tests::generate::edited_document;
use schemaforge_tests::{
    describe_document, describe_schema, drop_namespaces, lines, qi, ql, run_on_postgres, run_script, table_sql,
};

/// A literal of `ty` for row `row` (0 or 1), cast to the type.
fn value(ty: &ColumnType, row: usize, model: &Model) -> String {
    let base = ColumnType { base: ty.base.clone(), array: false };
    // A composite value is a row of its attributes' values.
    if let BaseType::Composite { id, .. } = &ty.base {
        let attributes = model.composites.iter().find(|c| &c.id == id).map(|c| c.attributes.as_slice()).unwrap_or(&[]);
        let values: Vec<String> = attributes.iter().map(|a| value(&a.ty, row, model)).collect();
        let element = format!("ROW({})::{}", values.join(", "), Postgres.render_type(&base));
        return if ty.array { format!("ARRAY[{element}]") } else { element };
    }
    // A domain's values are its base type's (cast to the domain below).
    let text = match ty.base.underlying() {
        BaseType::SmallInt | BaseType::Integer | BaseType::BigInt => format!("{}", row + 1),
        BaseType::Numeric { .. } | BaseType::Real | BaseType::DoublePrecision => format!("{}.5", row + 1),
        BaseType::Boolean => (row == 0).to_string(),
        BaseType::Char(_) | BaseType::Varchar(_) | BaseType::Text => format!("r{row}"),
        BaseType::Bytea => format!("\\x0{row}"),
        BaseType::Date => format!("2024-01-0{}", row + 1),
        BaseType::Time(_) => format!("10:00:0{row}"),
        BaseType::Timestamp(_) | BaseType::Timestamptz(_) => format!("2024-01-01 10:00:0{row}"),
        BaseType::Interval(_) => format!("{} hours", row + 1),
        BaseType::Uuid => format!("00000000-0000-0000-0000-00000000000{row}"),
        BaseType::Json | BaseType::Jsonb => format!("{{\"k\": {row}}}"),
        BaseType::Inet => format!("10.0.0.{row}"),
        BaseType::Cidr => format!("10.{row}.0.0/16"),
        BaseType::Macaddr => format!("08:00:2b:01:02:0{row}"),
        BaseType::TimeTz(_) => format!("10:00:0{row}+02"),
        BaseType::Bit(n) => format!("{row}").repeat(*n as usize),
        BaseType::VarBit(_) => format!("1{row}"),
        BaseType::Named(n, _) => schemaforge_tests::named_sample(*n, row).to_string(),
        BaseType::Enum { id, .. } => {
            let labels = model.enum_type(id).map(|e| e.values.clone()).unwrap_or_default();
            labels.get(row % labels.len().max(1)).cloned().unwrap_or_default()
        }
        BaseType::Domain { .. } | BaseType::Composite { .. } => String::new(),
    };
    let element = format!("{}::{}", ql(&text), Postgres.render_type(&base));
    if ty.array { format!("ARRAY[{element}]") } else { element }
}

/// Insert two rows into each table whose foreign-key columns can be NULL:
/// nullable columns are NULL in the first row. A row PostgreSQL refuses
/// (a duplicate key, a check) is skipped. Returns how many went in per table.
fn insert_rows(conn: &mut PgConnection, model: &Model) -> Vec<(String, usize)> {
    let fk_columns: Vec<(&str, &str)> = model
        .foreign_keys
        .iter()
        .flat_map(|fk| fk.source_column_ids.iter().map(move |c| (fk.source_table_id.as_str(), c.as_str())))
        .collect();
    let mut inserted = Vec::new();
    for t in &model.tables {
        let is_fk = |c: &ColumnModel| fk_columns.contains(&(t.id.as_str(), c.id.as_str()));
        if t.columns.iter().any(|c| is_fk(c) && !c.nullable) {
            continue;
        }
        let mut n = 0;
        for row in 0..2 {
            let values: Vec<String> = t
                .columns
                .iter()
                .map(|c| {
                    if c.identity.is_some() || c.generated.is_some() {
                        "DEFAULT".to_string()
                    } else if is_fk(c) || (c.nullable && row == 0) {
                        "NULL".to_string()
                    } else {
                        value(&c.ty, row, model)
                    }
                })
                .collect();
            let columns: Vec<String> = t.columns.iter().map(|c| qi(c.name.as_str())).collect();
            let sql = format!(
                "SAVEPOINT row_insert; INSERT INTO {} ({}) VALUES ({}); RELEASE SAVEPOINT row_insert",
                table_sql(t),
                columns.join(", "),
                values.join(", ")
            );
            if execute(conn, &sql).is_ok() {
                n += 1;
            } else {
                execute(conn, "ROLLBACK TO SAVEPOINT row_insert; RELEASE SAVEPOINT row_insert").unwrap();
            }
        }
        inserted.push((t.id.clone(), n));
    }
    inserted
}

/// The sorted text values of one column; a composite value by attribute
/// id (its attributes may be renamed or reordered, new ones are NULL).
fn column_values(conn: &mut PgConnection, t: &TableModel, c: &ColumnModel, model: &Model) -> Vec<String> {
    let col = qi(c.name.as_str());
    let text = match (
        &c.ty.base,
        model.composites.iter().find(|k| matches!(&c.ty.base, BaseType::Composite { id, .. } if id == &k.id)),
    ) {
        (BaseType::Composite { .. }, Some(k)) if !c.ty.array => {
            let pairs: Vec<String> =
                k.attributes.iter().map(|a| format!("{}, ({col}).{}", ql(&a.id), qi(a.name.as_str()))).collect();
            format!(
                "CASE WHEN ({col})::text IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object({}))::text END",
                pairs.join(", ")
            )
        }
        _ => format!("{col}::text"),
    };
    let mut values = lines(conn, &format!("SELECT coalesce({text}, '<null>') AS t FROM {}", table_sql(t))).unwrap();
    values.sort();
    values
}

fn use_schema(conn: &mut PgConnection, schema: &str) {
    execute(conn, &format!("SET LOCAL search_path TO {}", qi(schema))).unwrap();
}

/// An empty database again (inside the case's transaction): a document's
/// `public` objects are in `public` (a move to `public` names it), its
/// namespaces beside it.
fn reset(conn: &mut PgConnection, models: [&Model; 2]) {
    execute(conn, "DROP SCHEMA public CASCADE; CREATE SCHEMA public").unwrap();
    for m in models {
        drop_namespaces(conn, m);
    }
    use_schema(conn, "public");
}

/// Run `script` inside a savepoint; on failure roll back to it.
fn try_script(conn: &mut PgConnection, script: &Script) -> Result<(), String> {
    execute(conn, "SAVEPOINT migration").unwrap();
    match run_script(conn, script) {
        Ok(()) => {
            execute(conn, "RELEASE SAVEPOINT migration").unwrap();
            Ok(())
        }
        Err(failure) => {
            execute(conn, "ROLLBACK TO SAVEPOINT migration").unwrap();
            Err(failure.to_string())
        }
    }
}

fn may_fail(changes: &schemaforge_domain::ChangeSet) -> bool {
    changes.has(Safety::MayFail) || changes.has(Safety::DataLoss)
}

fn explain(m: &Migration) -> String {
    format!("up:\n{}\ndown:\n{}", m.up.to_sql(), m.down.to_sql())
}

#[test]
fn migrations_reach_the_edited_structure_keep_rows_and_go_back() {
    run_on_postgres(48, edited_document(), |conn, (old_doc, new_doc, edits)| {
        let old = ValidSchema::parse(old_doc).map_err(|e| TestCaseError::fail(format!("{:#?}", e.report)))?;
        let new = ValidSchema::parse(new_doc).map_err(|e| TestCaseError::fail(format!("{:#?}", e.report)))?;
        let m = migration(&old, &new);
        let context = || format!("edits {edits:?}\n{}", explain(&m));
        for s in m.up.statements().iter().chain(m.down.statements()) {
            prop_assert!(!s.sql.contains("schemaforge"), "a script names the bookkeeping schema: {}", s.sql);
            prop_assert!(!s.sql.contains("CONCURRENTLY"), "cannot run in a transaction: {}", s.sql);
        }
        if old.model() == new.model() {
            prop_assert!(m.changes.is_empty(), "equal models, yet changes\n{}", context());
        }

        // The expected structure: B built fresh (then gone again: A's
        // database has schemas of the same names).
        reset(conn, [old.model(), new.model()]);
        run_script(conn, &create_script(&new)).map_err(|f| TestCaseError::fail(format!("create B: {f}")))?;
        let expected = describe_document(conn, "public", new.model());
        reset(conn, [old.model(), new.model()]);

        // A, with rows, migrated up.
        run_script(conn, &create_script(&old)).map_err(|f| TestCaseError::fail(format!("create A: {f}")))?;
        let before = describe_document(conn, "public", old.model());
        use_schema(conn, "public");
        let rows = insert_rows(conn, old.model());
        let mut kept = Vec::new();
        // Tables that lose rows by a change that says so: a partition
        // dropped, or the table dropped and created again.
        let lossy: Vec<&str> = m
            .changes
            .changes()
            .iter()
            .filter_map(|c| match &c.kind {
                ChangeKind::DropPartition { table_id, .. } | ChangeKind::DropTable { table_id } => {
                    Some(table_id.as_str())
                }
                _ => None,
            })
            .collect();
        for ot in &old.model().tables {
            let Some(nt) = new.model().table(&ot.id).filter(|_| !lossy.contains(&ot.id.as_str())) else { continue };
            for oc in &ot.columns {
                let Some(nc) = nt.column(&oc.id) else { continue };
                // A generated column computes its values: a new expression
                // (or becoming generated) gives new ones.
                let computed = nc.generated.is_some() && oc.generated != nc.generated;
                // Arrays of a composite type compare as text: only when its
                // attributes keep their names and order.
                let rows_of = |m: &Model, id: &str| {
                    m.composites
                        .iter()
                        .find(|k| k.id == id)
                        .map(|k| k.attributes.iter().map(|a| (a.name.clone(), a.ty.clone())).collect::<Vec<_>>())
                };
                // A scalar one compares by attribute id: only when every
                // attribute stays, with its type (a dropped one is data_loss).
                let kept_attributes = |id: &str| {
                    let (Some(o), Some(n)) = (
                        old.model().composites.iter().find(|k| k.id == id),
                        new.model().composites.iter().find(|k| k.id == id),
                    ) else {
                        return false;
                    };
                    o.attributes.iter().all(|a| n.attribute(&a.id).is_some_and(|b| b.ty == a.ty))
                };
                let plain = match &oc.ty.base {
                    BaseType::Enum { .. } => false,
                    BaseType::Composite { id, .. } if oc.ty.array => {
                        rows_of(old.model(), id) == rows_of(new.model(), id)
                    }
                    BaseType::Composite { id, .. } => kept_attributes(id),
                    _ => true,
                };
                if plain && oc.ty == nc.ty && !computed {
                    kept.push((nt.clone(), nc.clone(), column_values(conn, ot, oc, old.model())));
                }
            }
        }
        if let Err(failure) = try_script(conn, &m.up) {
            prop_assert!(
                may_fail(&m.changes),
                "the up script failed but no change is may_fail or data_loss: {failure}\n{}",
                context()
            );
            return Ok(());
        }
        let after = describe_document(conn, "public", new.model());
        prop_assert_eq!(&after, &expected, "up did not reach B's structure\nrows {:?}\n{}", rows, context());
        use_schema(conn, "public");
        for (t, c, values) in &kept {
            prop_assert_eq!(
                &column_values(conn, t, c, new.model()),
                values,
                "rows of {}.{} changed\n{}",
                t.name,
                c.name,
                context()
            );
        }

        // And back down.
        match try_script(conn, &m.down) {
            Ok(()) => {
                let back = describe_document(conn, "public", old.model());
                prop_assert_eq!(&back, &before, "down did not restore A's structure\n{}", context());
            }
            Err(failure) => {
                let reverse = schemaforge_domain::diff(&new, &old);
                prop_assert!(
                    may_fail(&reverse),
                    "the down script failed but no change is may_fail or data_loss: {failure}\n{}",
                    context()
                );
            }
        }
        // The case's transaction is rolled back: nothing to clean up.
        Ok(())
    })
    .unwrap();
}

/// Without rows nothing may fail: every up and down script runs.
#[test]
fn migrations_between_empty_databases_never_fail() {
    run_on_postgres(24, edited_document(), |conn, (old_doc, new_doc, edits)| {
        let old = ValidSchema::parse(old_doc).map_err(|e| TestCaseError::fail(format!("{:#?}", e.report)))?;
        let new = ValidSchema::parse(new_doc).map_err(|e| TestCaseError::fail(format!("{:#?}", e.report)))?;
        let m = migration(&old, &new);
        reset(conn, [old.model(), new.model()]);
        run_script(conn, &create_script(&old)).map_err(|f| TestCaseError::fail(format!("create A: {f}")))?;
        run_script(conn, &m.up).map_err(|f| TestCaseError::fail(format!("{edits:?} up: {f}\n{}", explain(&m))))?;
        run_script(conn, &m.down).map_err(|f| TestCaseError::fail(format!("{edits:?} down: {f}\n{}", explain(&m))))?;
        Ok(())
    })
    .unwrap();
}

use proptest::{prop_assert, prop_assert_eq};

fn example(name: &str) -> ValidSchema {
    let path = format!("{}/../examples/migrations/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    ValidSchema::parse(schemaforge_domain::parse_document(&text).unwrap()).unwrap()
}

fn one_transaction(conn: &mut PgConnection, script: &Script) -> Result<(), String> {
    execute(conn, "BEGIN").unwrap();
    match run_script(conn, script) {
        Ok(()) => {
            execute(conn, "COMMIT").unwrap();
            Ok(())
        }
        Err(f) => {
            execute(conn, "ROLLBACK").unwrap();
            Err(f.to_string())
        }
    }
}

/// The structures of `v1` and `v2` built fresh, in schemas `expected_v1`
/// and `expected_v2`, as `describe_schema` lists them.
fn built_fresh(conn: &mut PgConnection, v1: &ValidSchema, v2: &ValidSchema) -> (Vec<String>, Vec<String>) {
    execute(conn, "CREATE SCHEMA expected_v1; CREATE SCHEMA expected_v2").unwrap();
    for (schema, doc) in [("expected_v1", v1), ("expected_v2", v2)] {
        execute(conn, &format!("BEGIN; SET LOCAL search_path TO {schema}")).unwrap();
        run_script(conn, &create_script(doc)).unwrap();
        execute(conn, "COMMIT").unwrap();
    }
    (describe_schema(conn, "expected_v1").unwrap(), describe_schema(conn, "expected_v2").unwrap())
}

/// The snapshot-tested example migration (crates/sqlgen/tests/migrations.rs)
/// on a database with rows and a provisioning bookkeeping schema: up fails
/// on a NULL as classified, works once the data is fixed, keeps the rows,
/// reaches v2's structure; down reaches v1's; the bookkeeping is untouched.
#[test]
fn shop_example_migrates_with_rows_and_back() {
    let (v1, v2) = (example("shop_v1"), example("shop_v2"));
    let m = migration(&v1, &v2);
    let db = schemaforge_testdb::TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let conn = &mut conn;
    let (expected_v1, expected_v2) = built_fresh(conn, &v1, &v2);
    execute(
        conn,
        "CREATE SCHEMA schemaforge; CREATE TABLE schemaforge.history (version int PRIMARY KEY, note text);
         INSERT INTO schemaforge.history VALUES (1, 'v1')",
    )
    .unwrap();
    run_script(conn, &create_script(&v1)).unwrap();
    execute(
        conn,
        "INSERT INTO customer (email, name, fax) VALUES ('ann@example.com', 'Ann', '123'), ('bob@example.com', NULL, NULL);
         INSERT INTO orders (customer_id, total, status, code, note) VALUES
           (1, 10.50, 'paid', '42', 'ring twice'), (2, 3, 'cancelled', NULL, NULL)",
    )
    .unwrap();

    let failure = one_transaction(conn, &m.up).unwrap_err();
    assert!(failure.contains("full_name"), "{failure}");
    assert!(m.changes.changes().iter().any(|c| c.safety == Safety::MayFail && c.description.contains("full_name")));
    execute(conn, "UPDATE customer SET name = 'Bob' WHERE name IS NULL").unwrap();
    one_transaction(conn, &m.up).unwrap();
    assert_eq!(describe_schema(conn, "public").unwrap(), expected_v2);
    let rows = lines(
        conn,
        "SELECT c.full_name || ' ' || c.email || ' ' || o.total || ' ' || o.status || ' ' || coalesce(o.code::text, '-')
                || ' ' || coalesce(o.note, '-') AS t
           FROM orders o JOIN client c ON c.id = o.client_id ORDER BY o.id",
    )
    .unwrap();
    assert_eq!(rows, ["Ann ann@example.com 10.50 paid 42 ring twice", "Bob bob@example.com 3.00 shipped - -"]);

    one_transaction(conn, &m.down).unwrap();
    assert_eq!(describe_schema(conn, "public").unwrap(), expected_v1);
    let rows = lines(conn, "SELECT name || ' ' || coalesce(fax, '-') || ' ' || (SELECT string_agg(status::text || ':' || coalesce(code, '-'), ',' ORDER BY id) FROM orders) AS t FROM customer ORDER BY id").unwrap();
    assert_eq!(rows, ["Ann - paid:42,cancelled:-", "Bob - paid:42,cancelled:-"], "the fax column came back empty");
    let history = lines(conn, "SELECT version || ' ' || note AS t FROM schemaforge.history").unwrap();
    assert_eq!(history, ["1 v1"]);
}

fn events(keyed: bool) -> ValidSchema {
    let key = if keyed { r#", "primaryKey": true"# } else { "" };
    let flag = if keyed { "" } else { r#", "withoutPrimaryKey": true"# };
    let text = format!(
        r#"{{"name": "log", "tables": [{{"id": "t_ev", "name": "events"{flag}, "columns": [
            {{"id": "c_id", "name": "id", "dataType": "bigint", "nullable": false{key}}},
            {{"id": "c_body", "name": "body", "dataType": "text"}}]}}]}}"#
    );
    ValidSchema::parse(schemaforge_domain::parse_document(&text).unwrap()).unwrap()
}

/// A table that says `withoutPrimaryKey` is built without one (checked in
/// `pg_constraint`); giving it a key later fails on duplicate rows, as
/// classified, works once they are fixed, keeps the rows, and goes back.
#[test]
fn a_table_without_a_primary_key_is_built_keyed_later_and_back() {
    let (v1, v2) = (events(false), events(true));
    let db = schemaforge_testdb::TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let conn = &mut conn;
    let (expected_v1, expected_v2) = built_fresh(conn, &v1, &v2);
    let keys = |conn: &mut PgConnection| {
        lines(
            conn,
            "SELECT conname::text AS t FROM pg_constraint WHERE conrelid = 'public.events'::regclass AND contype = 'p'",
        )
        .unwrap()
    };
    run_script(conn, &create_script(&v1)).unwrap();
    assert!(keys(conn).is_empty(), "no primary key");
    execute(conn, "INSERT INTO events VALUES (1, 'a'), (1, 'a again'), (2, 'b')").unwrap();

    let m = migration(&v1, &v2);
    assert!(m.changes.changes().iter().any(|c| c.safety == Safety::MayFail && c.description.contains("events_pkey")));
    let failure = one_transaction(conn, &m.up).unwrap_err();
    assert!(failure.contains("events_pkey"), "{failure}");
    execute(conn, "UPDATE events SET id = 3 WHERE body = 'a again'").unwrap();
    one_transaction(conn, &m.up).unwrap();
    assert_eq!(keys(conn), ["events_pkey"]);
    assert_eq!(describe_schema(conn, "public").unwrap(), expected_v2);

    one_transaction(conn, &m.down).unwrap();
    assert!(keys(conn).is_empty());
    assert_eq!(describe_schema(conn, "public").unwrap(), expected_v1);
    let rows = lines(conn, "SELECT id || ' ' || body AS t FROM events ORDER BY id").unwrap();
    assert_eq!(rows, ["1 a", "2 b", "3 a again"]);
}
