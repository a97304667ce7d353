use serde_json::{Value, json};

use super::*;
use crate::parse_document;

fn base() -> Value {
    json!({
        "name": "shop",
        "enums": [{"id": "e1", "name": "status", "values": ["new", "paid"]}],
        "tables": [
            {"id": "t1", "name": "customers", "columns": [
                {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "c2", "name": "email", "dataType": "text", "unique": true},
                {"id": "c3", "name": "note", "dataType": "text"}
            ]},
            {"id": "t2", "name": "orders", "columns": [
                {"id": "o1", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
                {"id": "o2", "name": "customer_id", "dataType": "integer", "nullable": false},
                {"id": "o3", "name": "total", "dataType": "numeric(10,2)", "default": 0},
                {"id": "o4", "name": "status", "dataType": "enum", "enumId": "e1", "default": "new"}
            ],
            "checks": [{"id": "k1", "expression": "total >= 0"}],
            "indexes": [{"id": "x1", "columnIds": ["o2"]}]}
        ],
        "foreignKeys": [{"id": "f1", "sourceTableId": "t2", "sourceColumnId": "o2", "targetTableId": "t1", "targetColumnId": "c1"}]
    })
}

fn schema(v: &Value) -> ValidSchema {
    let doc = parse_document(&v.to_string()).unwrap();
    ValidSchema::parse(doc).unwrap_or_else(|e| panic!("{:#?}", e.report.problems))
}

fn edit(f: impl FnOnce(&mut Value)) -> Value {
    let mut v = base();
    f(&mut v);
    v
}

fn at<'a>(v: &'a mut Value, pointer: &str) -> &'a mut Value {
    v.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer}"))
}

/// (type tag, safety) of every change from the base to `new`.
fn changes(new: &Value) -> Vec<(String, Safety)> {
    summary(&base(), new)
}

fn summary(old: &Value, new: &Value) -> Vec<(String, Safety)> {
    diff(&schema(old), &schema(new))
        .changes()
        .iter()
        .map(|c| (serde_json::to_value(&c.kind).unwrap()["type"].as_str().unwrap().to_string(), c.safety))
        .collect()
}

fn tags(list: &[(String, Safety)]) -> Vec<&str> {
    list.iter().map(|(t, _)| t.as_str()).collect()
}

use Safety::{DataLoss, LocksTable, MayFail, Safe};

fn one(tag: &str, safety: Safety) -> Vec<(String, Safety)> {
    vec![(tag.to_string(), safety)]
}

#[test]
fn equal_documents_give_nothing() {
    let set = diff(&schema(&base()), &schema(&base()));
    assert!(set.is_empty());
    assert_eq!(set.worst(), None);
    assert!(!set.has(Safe));
}

#[test]
fn positions_and_descriptions_do_not_matter() {
    let v = edit(|v| {
        at(v, "/tables/0")["position"] = json!({"x": 5, "y": 7});
        v["description"] = json!("changed");
    });
    assert!(changes(&v).is_empty());
}

#[test]
fn renamed_table_renames_its_generated_names_too() {
    let v = edit(|v| at(v, "/tables/1")["name"] = json!("purchases"));
    let set = diff(&schema(&base()), &schema(&v));
    let descriptions: Vec<&str> = set.changes().iter().map(|c| c.description.as_str()).collect();
    assert_eq!(
        descriptions,
        [
            "rename table orders to purchases",
            "rename sequence orders_id_seq to purchases_id_seq",
            "rename primary key orders_pkey to purchases_pkey",
            "rename index orders_customer_id_idx to purchases_customer_id_idx",
            "rename check orders_total_check to purchases_total_check",
            "rename foreign key orders_customer_id_fkey to purchases_customer_id_fkey",
        ]
    );
    assert_eq!(set.worst(), Some(Safe));
    assert!(set.changes()[0].explanation.as_deref().unwrap().contains("old name"));
}

#[test]
fn renamed_column_is_a_rename_and_keeps_its_check() {
    let v = edit(|v| {
        at(v, "/tables/1/columns/2")["name"] = json!("amount");
        at(v, "/tables/1/checks/0")["expression"] = json!("amount >= 0");
    });
    assert_eq!(
        changes(&v),
        [("rename_constraint".to_string(), Safe), ("rename_column".to_string(), Safe)],
        "the check's generated name follows the column; its expression is the same by id"
    );
}

#[test]
fn added_and_dropped_columns_and_tables() {
    let v = edit(|v| {
        at(v, "/tables/0/columns")
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "c4", "name": "age", "dataType": "integer"}));
    });
    assert_eq!(changes(&v), one("add_column", Safe));
    let v = edit(|v| {
        at(v, "/tables/0/columns")
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "c4", "name": "age", "dataType": "integer", "nullable": false}));
    });
    assert_eq!(changes(&v), one("add_column", MayFail));
    let v = edit(|v| {
        at(v, "/tables/0/columns")
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "c4", "name": "age", "dataType": "integer", "nullable": false, "default": 1}));
    });
    assert_eq!(changes(&v), one("add_column", Safe));
    let v = edit(|v| {
        at(v, "/tables/0/columns")
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "c4", "name": "token", "dataType": "uuid", "default": {"function": "gen_random_uuid"}}));
    });
    assert_eq!(changes(&v), one("add_column", LocksTable));
    let v = edit(|v| {
        at(v, "/tables/0/columns").as_array_mut().unwrap().remove(2);
    });
    assert_eq!(changes(&v), one("drop_column", DataLoss));
    let v = edit(|v| {
        at(v, "/tables").as_array_mut().unwrap().push(json!({"id": "t3", "name": "tags", "comment": "labels",
            "columns": [{"id": "g1", "name": "id", "dataType": "integer", "primaryKey": true, "comment": "key"}],
            "indexes": [{"id": "x9", "columnIds": ["g1"], "unique": true}]}));
    });
    assert_eq!(
        tags(&changes(&v)),
        ["add_table", "add_index", "set_table_comment", "set_column_comment"],
        "indexes and comments of a new table"
    );
    assert_eq!(changes(&v).iter().map(|c| c.1).max(), Some(Safe), "a new table is empty");
    let v = edit(|v| {
        at(v, "/tables").as_array_mut().unwrap().remove(1);
        v["foreignKeys"] = json!([]);
    });
    assert_eq!(changes(&v), [("drop_foreign_key".to_string(), Safe), ("drop_table".to_string(), DataLoss)]);
}

#[test]
fn column_property_changes() {
    let v = edit(|v| at(v, "/tables/0/columns/2")["nullable"] = json!(false));
    assert_eq!(changes(&v), one("set_not_null", MayFail));
    let v = edit(|v| at(v, "/tables/1/columns/1")["nullable"] = json!(true));
    assert_eq!(changes(&v), one("drop_not_null", Safe));
    let v = edit(|v| at(v, "/tables/0/columns/2")["default"] = json!("n/a"));
    assert_eq!(changes(&v), one("set_default", Safe));
    let v = edit(|v| {
        at(v, "/tables/1/columns/2").as_object_mut().unwrap().remove("default");
    });
    assert_eq!(changes(&v), one("drop_default", Safe));
    let v = edit(|v| at(v, "/tables/0/columns/2")["comment"] = json!("free text"));
    assert_eq!(changes(&v), one("set_column_comment", Safe));
    let v = edit(|v| at(v, "/tables/0")["comment"] = json!("people"));
    assert_eq!(changes(&v), one("set_table_comment", Safe));
    let v = edit(|v| at(v, "/tables/0/columns/0")["autoIncrement"] = json!(true));
    assert_eq!(changes(&v), one("add_identity", Safe));
    let v = edit(|v| at(v, "/tables/1/columns/0")["autoIncrement"] = json!(false));
    assert_eq!(changes(&v), one("drop_identity", Safe));
}

#[test]
fn type_changes_drop_and_restore_the_default() {
    let v = edit(|v| at(v, "/tables/1/columns/2")["dataType"] = json!("numeric(12,2)"));
    let set = diff(&schema(&base()), &schema(&v));
    assert_eq!(tags(&summary(&base(), &v)), ["alter_column_type", "set_default"]);
    // No rewrite, but the check `total >= 0` reads the column: PostgreSQL
    // re-checks every row.
    assert_eq!(set.worst(), Some(LocksTable), "numeric(10,2) to numeric(12,2) under a check");
    assert!(set.changes()[0].explanation.as_deref().is_some_and(|e| e.contains("re-checks every row")));
    assert!(matches!(set.changes()[0].kind, ChangeKind::AlterColumnType { drop_default: true, .. }));
    let v = edit(|v| at(v, "/tables/0/columns/2")["dataType"] = json!("varchar(20)"));
    let set = diff(&schema(&base()), &schema(&v));
    assert_eq!(set.changes()[0].description, "change type of customers.note from text to varchar(20)");
    assert_eq!(set.worst(), Some(MayFail));
    assert!(set.changes()[0].alternative.is_some());
}

#[test]
fn a_type_change_recreates_what_depends_on_the_column() {
    // integer -> text: the foreign key on both sides and the index stay with
    // PostgreSQL for the index, but the key must be re-created.
    let v = edit(|v| {
        at(v, "/tables/0/columns/0")["dataType"] = json!("text");
        at(v, "/tables/1/columns/1")["dataType"] = json!("text");
    });
    assert_eq!(tags(&changes(&v)), ["drop_foreign_key", "alter_column_type", "alter_column_type", "add_foreign_key"],);
    // integer -> bigint keeps the foreign key (PostgreSQL re-checks it).
    let v = edit(|v| at(v, "/tables/1/columns/1")["dataType"] = json!("bigint"));
    assert_eq!(changes(&v), one("alter_column_type", LocksTable));
    // The check reads the column: re-created around the change.
    let v = edit(|v| at(v, "/tables/1/columns/2")["dataType"] = json!("integer"));
    let list = changes(&v);
    assert_eq!(tags(&list), ["drop_check", "alter_column_type", "set_default", "add_check"]);
    assert_eq!(list[1].1, DataLoss, "numeric(10,2) to integer rounds");
}

#[test]
fn keys_are_matched_by_columns() {
    let v = edit(|v| at(v, "/tables/0/columns/1")["unique"] = json!(false));
    assert_eq!(changes(&v), one("drop_unique", Safe));
    let v = edit(|v| at(v, "/tables/0/columns/2")["unique"] = json!(true));
    assert_eq!(changes(&v), one("add_unique", MayFail));
    let v = edit(|v| {
        at(v, "/tables/0/columns/2")["name"] = json!("remark");
        at(v, "/tables/0/columns/1")["name"] = json!("mail");
    });
    assert_eq!(tags(&changes(&v)), ["rename_constraint", "rename_column", "rename_column"]);
    // A new primary key on other columns: the foreign key that used the old
    // one goes first and comes back last.
    let v = edit(|v| {
        at(v, "/tables/0/columns/0")["primaryKey"] = json!(false);
        at(v, "/tables/0")["primaryKey"] = json!(["c1", "c2"]);
        at(v, "/tables/0/columns/1")["unique"] = json!(false);
        at(v, "/tables/0/columns/0")["unique"] = json!(true);
    });
    let list = changes(&v);
    assert_eq!(
        tags(&list),
        [
            "drop_foreign_key",
            "drop_primary_key",
            "drop_unique",
            "set_not_null",
            "add_primary_key",
            "add_unique",
            "add_foreign_key"
        ]
    );
}

#[test]
fn checks_indexes_and_foreign_keys() {
    let v = edit(|v| at(v, "/tables/1/checks/0")["expression"] = json!("total > 0"));
    assert_eq!(changes(&v), [("drop_check".to_string(), Safe), ("add_check".to_string(), MayFail)]);
    let v = edit(|v| at(v, "/tables/1/checks/0")["name"] = json!("positive_total"));
    assert_eq!(changes(&v), one("rename_constraint", Safe));
    let v = edit(|v| at(v, "/tables/1")["checks"] = json!([]));
    assert_eq!(changes(&v), one("drop_check", Safe));
    let v = edit(|v| at(v, "/tables/1/indexes/0")["name"] = json!("by_customer"));
    assert_eq!(changes(&v), one("rename_index", Safe));
    let v = edit(|v| at(v, "/tables/1/indexes/0")["columnIds"] = json!(["o2", "o3"]));
    assert_eq!(changes(&v), [("drop_index".to_string(), Safe), ("add_index".to_string(), LocksTable)]);
    let v = edit(|v| at(v, "/tables/1/indexes/0")["unique"] = json!(true));
    assert_eq!(changes(&v), [("drop_index".to_string(), Safe), ("add_index".to_string(), MayFail)]);
    let v = edit(|v| at(v, "/tables/1")["indexes"] = json!([]));
    assert_eq!(changes(&v), one("drop_index", Safe));
    // Only the action changes: the rows satisfied the key already.
    let v = edit(|v| at(v, "/foreignKeys/0")["onDelete"] = json!("CASCADE"));
    assert_eq!(changes(&v), [("drop_foreign_key".to_string(), Safe), ("add_foreign_key".to_string(), LocksTable)]);
    let v = edit(|v| at(v, "/foreignKeys/0")["name"] = json!("orders_customer"));
    assert_eq!(changes(&v), one("rename_constraint", Safe));
    let v = edit(|v| v["foreignKeys"] = json!([]));
    assert_eq!(changes(&v), one("drop_foreign_key", Safe));
}

#[test]
fn enum_changes() {
    let v = edit(|v| at(v, "/enums/0/values").as_array_mut().unwrap().push(json!("shipped")));
    let set = diff(&schema(&base()), &schema(&v));
    assert_eq!(tags(&changes(&v)), ["add_enum_value"]);
    assert!(matches!(&set.changes()[0].kind, ChangeKind::AddEnumValue { after: Some(a), .. } if a == "paid"));
    let v = edit(|v| at(v, "/enums/0/values").as_array_mut().unwrap().insert(0, json!("draft")));
    let set = diff(&schema(&base()), &schema(&v));
    assert!(matches!(&set.changes()[0].kind, ChangeKind::AddEnumValue { before: Some(b), .. } if b == "new"));
    let v = edit(|v| at(v, "/enums/0/values/1").clone_from(&json!("settled")));
    assert_eq!(changes(&v), one("rename_enum_value", Safe));
    let v = edit(|v| at(v, "/enums/0")["name"] = json!("order_status"));
    assert_eq!(changes(&v), one("rename_enum", Safe));
    let v = edit(|v| at(v, "/enums/0")["comment"] = json!("lifecycle"));
    assert_eq!(changes(&v), one("set_enum_comment", Safe));
    // Removing a label rebuilds the type and converts its columns.
    let v = edit(|v| at(v, "/enums/0/values").as_array_mut().unwrap().push(json!("shipped")));
    let list = summary(&v, &base());
    assert_eq!(tags(&list), ["rebuild_enum", "alter_column_type", "set_default", "drop_enum"]);
    // Rows that hold it make the migration fail; nothing is lost silently.
    assert_eq!(list[0].1, MayFail);
    // Reordering rebuilds too.
    let v = edit(|v| at(v, "/enums/0")["values"] = json!(["paid", "new"]));
    assert_eq!(changes(&v)[0], ("rebuild_enum".to_string(), LocksTable));
    // A new label used as a default in the same migration cannot be added
    // with ADD VALUE.
    let v = edit(|v| {
        at(v, "/enums/0/values").as_array_mut().unwrap().push(json!("draft"));
        at(v, "/tables/1/columns/3")["default"] = json!("draft");
    });
    assert_eq!(tags(&changes(&v)), ["rebuild_enum", "alter_column_type", "set_default", "drop_enum"]);
    // New and dropped enums.
    let v =
        edit(|v| at(v, "/enums").as_array_mut().unwrap().push(json!({"id": "e2", "name": "size", "values": ["s"]})));
    assert_eq!(changes(&v), one("create_enum", Safe));
    let v = edit(|v| {
        at(v, "/tables/1/columns/3")["dataType"] = json!("text");
        at(v, "/tables/1/columns/3").as_object_mut().unwrap().remove("enumId");
        v["enums"] = json!([]);
    });
    assert_eq!(tags(&changes(&v)), ["alter_column_type", "set_default", "drop_enum"]);
}

#[test]
fn swapped_names_go_through_a_temporary_name() {
    let v = edit(|v| {
        at(v, "/tables/0/columns/1")["name"] = json!("note");
        at(v, "/tables/0/columns/2")["name"] = json!("email");
    });
    let set = diff(&schema(&base()), &schema(&v));
    let renames: Vec<(String, String)> = set
        .changes()
        .iter()
        .filter_map(|c| match &c.kind {
            ChangeKind::RenameColumn { from, to, .. } => Some((from.clone(), to.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        renames,
        [
            ("email".into(), "sf_tmp_1".into()),
            ("note".into(), "sf_tmp_2".into()),
            ("sf_tmp_1".into(), "note".into()),
            ("sf_tmp_2".into(), "email".into())
        ]
    );
    // A dropped enum whose name a new table takes is moved out of the way.
    let v = edit(|v| {
        at(v, "/tables/1/columns/3")["dataType"] = json!("text");
        at(v, "/tables/1/columns/3").as_object_mut().unwrap().remove("enumId");
        v["enums"] = json!([]);
        at(v, "/tables/0")["name"] = json!("status");
    });
    let set = diff(&schema(&base()), &schema(&v));
    assert!(matches!(&set.changes()[0].kind, ChangeKind::RenameEnum { to, .. } if to == "sf_tmp_1"));
    assert!(matches!(&set.changes().last().unwrap().kind, ChangeKind::DropEnum { name, .. } if name == "sf_tmp_1"));
}

#[test]
fn a_type_that_goes_is_moved_out_of_the_way_of_any_new_type_of_its_name() {
    // An enum replaced by a domain of its name, a domain by a composite
    // type: each old one is renamed away before the new one is created.
    let v = edit(|v| {
        at(v, "/tables/1/columns/3")["dataType"] = json!("text");
        at(v, "/tables/1/columns/3").as_object_mut().unwrap().remove("enumId");
        v["enums"] = json!([]);
        v["domains"] = json!([{"id": "d1", "name": "status", "dataType": "text"}]);
    });
    let set = diff(&schema(&base()), &schema(&v));
    let kinds: Vec<&ChangeKind> = set.changes().iter().map(|c| &c.kind).collect();
    let renamed = kinds.iter().position(|k| matches!(k, ChangeKind::RenameEnum { to, .. } if to == "sf_tmp_1"));
    let created = kinds.iter().position(|k| matches!(k, ChangeKind::CreateDomain { .. }));
    assert!(renamed.is_some() && renamed < created, "{kinds:?}");
    let w = edit(|w| {
        w["enums"] = v["enums"].clone();
        w["domains"] = json!([]);
        w["composites"] =
            json!([{"id": "k1", "name": "status", "attributes": [{"id": "a1", "name": "x", "dataType": "text"}]}]);
        *at(w, "/tables/1/columns/3") = at(&mut v.clone(), "/tables/1/columns/3").clone();
    });
    let set = diff(&schema(&v), &schema(&w));
    let kinds: Vec<&ChangeKind> = set.changes().iter().map(|c| &c.kind).collect();
    let renamed = kinds.iter().position(|k| matches!(k, ChangeKind::RenameDomain { to, .. } if to == "sf_tmp_1"));
    let created = kinds.iter().position(|k| matches!(k, ChangeKind::CreateComposite { .. }));
    assert!(renamed.is_some() && renamed < created, "{kinds:?}");
}

#[test]
fn changes_serialize_for_the_wire() {
    let v = edit(|v| at(v, "/tables/1/columns/1")["dataType"] = json!("bigint"));
    let set = diff(&schema(&base()), &schema(&v));
    let json = serde_json::to_value(&set).unwrap();
    assert_eq!(json[0]["kind"]["type"], "alter_column_type");
    assert_eq!(json[0]["kind"]["tableId"], "t2");
    assert_eq!(json[0]["kind"]["from"], "integer");
    assert_eq!(json[0]["safety"], "locks_table");
    assert_eq!(json[0]["target"], "orders.customer_id");
    assert!(json[0]["explanation"].as_str().unwrap().contains("rewrites"));
    assert_eq!(set.counts()[1], (LocksTable, 1));
    assert!(set.has(LocksTable) && !set.has(DataLoss));
}

#[test]
fn context_decides_the_class() {
    // varchar widening: no rewrite; safe bare, locks_table under a check or
    // a partial index that stays.
    let doc = |ty: &str, fields: Value| {
        let mut t = json!({"id": "t", "name": "t", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "c", "name": "c", "dataType": ty},
            {"id": "d", "name": "d", "dataType": "integer"}]});
        t.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        json!({"name": "x", "tables": [t]})
    };
    let class =
        |fields: Value| diff(&schema(&doc("varchar(5)", fields.clone())), &schema(&doc("text", fields))).worst();
    assert_eq!(class(json!({})), Some(Safe));
    assert_eq!(class(json!({"indexes": [{"id": "x", "columnIds": ["c"]}]})), Some(Safe));
    assert_eq!(class(json!({"checks": [{"id": "k", "expression": "length(c) < 9"}]})), Some(LocksTable));
    assert_eq!(class(json!({"checks": [{"id": "k", "expression": "d > 0"}]})), Some(Safe));
    assert_eq!(class(json!({"indexes": [{"id": "x", "columnIds": ["c"], "where": "d > 0"}]})), Some(LocksTable));
    assert_eq!(class(json!({"indexes": [{"id": "x", "columnIds": ["d"], "where": "c <> ''"}]})), Some(LocksTable));
    // Arrays of binary-compatible types are rewritten; dropping a length is not.
    let arrays = |a: &str, b: &str| diff(&schema(&doc(a, json!({}))), &schema(&doc(b, json!({})))).worst();
    assert_eq!(arrays("varchar(5)[]", "text[]"), Some(LocksTable));
    assert_eq!(arrays("text[]", "varchar[]"), Some(LocksTable));
    assert_eq!(arrays("varchar(5)[]", "varchar[]"), Some(Safe));
    assert_eq!(arrays("timestamp(3)[]", "timestamp[]"), Some(Safe));
    assert_eq!(arrays("numeric(10,2)[]", "numeric[]"), Some(Safe));
    assert_eq!(arrays("timestamp(3)[]", "timestamp(6)[]"), Some(LocksTable));
}

#[test]
fn identity_scans_without_a_leading_index() {
    let doc = |auto: bool, indexes: Value| {
        json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true, "autoIncrement": auto},
            {"id": "n", "name": "n", "dataType": "integer", "nullable": false, "autoIncrement": auto}],
            "indexes": indexes}]})
    };
    let set = diff(&schema(&doc(false, json!([]))), &schema(&doc(true, json!([]))));
    let classes: Vec<Safety> = set.changes().iter().map(|c| c.safety).collect();
    assert_eq!(classes, [Safe, LocksTable], "the primary key serves MAX(id); nothing serves MAX(n)");
    assert!(set.changes()[1].explanation.as_deref().is_some_and(|e| e.contains("scans the whole table")));
    let leading = json!([{"id": "x", "columnIds": ["n", "id"]}]);
    assert_eq!(diff(&schema(&doc(false, leading.clone())), &schema(&doc(true, leading))).worst(), Some(Safe));
    let second = json!([{"id": "x", "columnIds": ["id", "n"]}]);
    assert_eq!(diff(&schema(&doc(false, second.clone())), &schema(&doc(true, second))).worst(), Some(LocksTable));
    let partial = json!([{"id": "x", "columnIds": ["n"], "where": "n > 0"}]);
    assert_eq!(diff(&schema(&doc(false, partial.clone())), &schema(&doc(true, partial))).worst(), Some(LocksTable));
}

#[test]
fn constraints_on_new_null_columns_cannot_fail() {
    let old = json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
        {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true}]}]});
    let with = |column: Value, fields: Value| {
        let mut v = old.clone();
        v["tables"][0]["columns"].as_array_mut().unwrap().push(column);
        v["tables"][0].as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        v
    };
    let worst = |new: Value| diff(&schema(&old), &schema(&new)).worst();
    let b = json!({"id": "b", "name": "b", "dataType": "integer"});
    assert_eq!(
        worst(with(json!({"id": "b", "name": "b", "dataType": "integer", "unique": true}), json!({}))),
        Some(LocksTable)
    );
    let unique_index = json!({"indexes": [{"id": "x", "columnIds": ["b", "id"], "unique": true}]});
    assert_eq!(worst(with(b.clone(), unique_index)), Some(LocksTable));
    assert_eq!(worst(with(b.clone(), json!({"checks": [{"id": "k", "expression": "b > 0"}]}))), Some(LocksTable));
    assert_eq!(worst(with(b.clone(), json!({"checks": [{"id": "k", "expression": "b IS NOT NULL"}]}))), Some(MayFail));
    assert_eq!(
        worst(with(b.clone(), json!({"checks": [{"id": "k", "expression": "coalesce(b, 0) > 0"}]}))),
        Some(MayFail)
    );
    assert_eq!(worst(with(b.clone(), json!({"checks": [{"id": "k", "expression": "b > id"}]}))), Some(LocksTable));
    let defaulted = json!({"id": "b", "name": "b", "dataType": "integer", "default": 1, "unique": true});
    assert_eq!(worst(with(defaulted, json!({}))), Some(MayFail), "a constant default collides");
    // A foreign key over a new NULL column is not checked (MATCH SIMPLE).
    let mut new = with(b, json!({}));
    new["foreignKeys"] =
        json!([{"id": "f", "sourceTableId": "t", "sourceColumnId": "b", "targetTableId": "t", "targetColumnId": "id"}]);
    assert_eq!(worst(new), Some(LocksTable));
}

#[test]
fn a_generated_column_is_made_plain_before_a_column_it_reads_is_dropped() {
    let doc = |generated: bool, with_b: bool| {
        let mut columns = vec![json!({"id": "a", "name": "id", "dataType": "integer", "primaryKey": true})];
        if with_b {
            columns.push(json!({"id": "b", "name": "b", "dataType": "integer"}));
        }
        let mut g = json!({"id": "g", "name": "g", "dataType": "boolean"});
        if generated {
            g["generated"] = json!({"expression": "b IS NOT NULL"});
        }
        columns.push(g);
        json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": columns}]})
    };
    // Found by the property test (seed 7): PostgreSQL refuses to drop `b`
    // while `g`'s expression reads it.
    let set = diff(&schema(&doc(true, true)), &schema(&doc(false, false)));
    let kinds: Vec<&ChangeKind> = set.changes().iter().map(|c| &c.kind).collect();
    assert!(
        matches!(kinds.as_slice(), [ChangeKind::DropExpression { .. }, ChangeKind::DropColumn { .. }]),
        "{kinds:?}"
    );
}

#[test]
fn an_attribute_read_in_an_expression_is_the_same_by_id_after_a_rename() {
    let doc = |street: &str, check: &str| {
        json!({"name": "people",
            "composites": [
                {"id": "k_at", "name": "spot", "attributes": [{"id": "s_zip", "name": "zip", "dataType": "text"}]},
                {"id": "k_home", "name": "address", "attributes": [
                    {"id": "a_street", "name": street, "dataType": "text"},
                    {"id": "a_at", "name": "at", "dataType": "composite", "compositeId": "k_at"}]}],
            "tables": [{"id": "t", "name": "person", "columns": [
                {"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "c_home", "name": "home", "dataType": "composite", "compositeId": "k_home"}],
              "checks": [{"id": "k1", "name": "has_street", "expression": check}],
              "indexes": [{"id": "i1", "name": "by_zip", "columnIds": [{"expression": "((home).at).zip"}]}]}]})
    };
    let v1 = doc("street", "(home).street <> '' OR home IS NULL");
    let v2 = doc("road", "(home).road <> '' OR home IS NULL");
    // PostgreSQL keeps the check and the index by attribute number: the
    // rename alone follows them.
    assert_eq!(summary(&v1, &v2), one("rename_attribute", Safe));
    // Another attribute read is another expression.
    let v3 = doc("street", "(home).at IS NOT NULL OR home IS NULL");
    assert_eq!(tags(&summary(&v1, &v3)), ["drop_check", "add_check"]);
    // An attribute the type does not have is an error, not PostgreSQL's.
    let report = crate::validate(&parse_document(&doc("street", "(home).road <> ''").to_string()).unwrap());
    let errors = report.problems.iter().filter(|p| p.is_error());
    let found: Vec<(&str, &str)> = errors.map(|p| (p.path.as_str(), p.code.as_str())).collect();
    assert_eq!(found, [("/tables/0/checks/0/expression", "UNKNOWN_REFERENCE")]);
}

#[test]
fn a_constrained_domain_column_added_with_null_fails_only_when_null_does() {
    let doc = |domain: Value, column: Option<Value>| {
        let mut columns = vec![json!({"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true})];
        columns.extend(column);
        json!({"name": "d", "domains": [domain], "tables": [{"id": "t", "name": "t", "columns": columns}]})
    };
    let class = |domain: Value, column: Value| {
        summary(&doc(domain.clone(), None), &doc(domain, Some(column))).into_iter().map(|(_, s)| s).collect::<Vec<_>>()
    };
    let col = json!({"id": "c_b", "name": "b", "dataType": "domain", "domainId": "d1"});
    let checked = |expr: &str| json!({"id": "d1", "name": "positive", "dataType": "integer", "checks": [{"id": "k", "expression": expr}]});
    // NULL passes `VALUE > 0`: the rewrite cannot fail.
    assert_eq!(class(checked("VALUE > 0"), col.clone()), [LocksTable]);
    // It fails `VALUE IS NOT NULL`, NOT NULL, and may fail a default.
    assert_eq!(class(checked("VALUE IS NOT NULL"), col.clone()), [MayFail]);
    let not_null = json!({"id": "d1", "name": "positive", "dataType": "integer", "notNull": true});
    assert_eq!(class(not_null, col.clone()), [MayFail]);
    let mut with_default = col;
    with_default["default"] = json!(5);
    assert_eq!(class(checked("VALUE > 0"), with_default), [MayFail]);
}
