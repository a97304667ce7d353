//! Views, partitions and carried objects: created, dropped, re-created
//! around a change under them, re-bound; each with data that makes the
//! risky ones fail or lose rows.

use serde_json::{Value, json};

use super::{Case, NULL_ROW, ROW, c, pair, t, with};

const ZERO_ROW: &str = "INSERT INTO t (id, a) VALUES (1, 0)";
const HIGH_ROW: &str = "INSERT INTO t (id, a) VALUES (1, 50)";

fn views(v: Value, views: Value) -> Value {
    with(v, |d| {
        d.insert("views".into(), views);
    })
}

/// Table `t` (id, a) partitioned by range of `a`, with `partitions`.
fn partitioned(partitions: Value) -> Value {
    let table = json!({"id": "t", "name": "t", "primaryKey": ["id", "a"], "columns": [
        {"id": "id", "name": "id", "dataType": "integer", "nullable": false},
        {"id": "a", "name": "a", "dataType": "integer", "nullable": false}],
        "partitionBy": {"strategy": "range", "columns": ["a"]}, "partitions": partitions});
    super::document(vec![table], vec![])
}

fn range(id: &str, name: &str, from: i64, to: i64) -> Value {
    json!({"id": id, "name": name, "bound": {"from": [from], "to": [to]}})
}

fn carried(v: Value, functions: Value, triggers: Value) -> Value {
    with(v, |d| {
        d.insert("functions".into(), functions);
        d.insert("triggers".into(), triggers);
    })
}

pub(super) fn cases() -> Vec<Case> {
    let base = || t(vec![c("a", "integer", json!({}))], json!({}));
    let wide = || t(vec![c("a", "bigint", json!({}))], json!({}));
    let plain_view = || json!([{"id": "v", "name": "v", "query": "SELECT id, a FROM t"}]);
    let dividing = json!([{"id": "v", "name": "v", "materialized": true, "query": "SELECT id, 10 / a AS q FROM t"}]);
    let data: &[&[&str]] = &[&[ROW], &[NULL_ROW], &[ZERO_ROW]];
    let low = || range("p1", "t_low", 0, 10);
    let rest = || json!({"id": "pd", "name": "t_rest", "bound": {"default": true}});
    let rows: &[&[&str]] = &[&[ROW], &[HIGH_ROW]];
    let touch = |body: &str| json!([{"id": "f", "definition": format!("CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$")}]);
    let trigger = json!([{"id": "g", "definition": "CREATE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()"}]);
    vec![
        pair("create view", "over the table", base(), views(base(), plain_view()), data),
        pair("create materialized view", "dividing by a column", base(), views(base(), dividing), data),
        pair("drop view", "over the table", views(base(), plain_view()), base(), data),
        pair(
            "change type under a view",
            "integer to bigint",
            views(base(), plain_view()),
            views(wide(), plain_view()),
            data,
        ),
        pair(
            "rename column under a view",
            "the view names it anew",
            views(base(), plain_view()),
            views(
                t(vec![json!({"id": "a", "name": "b", "dataType": "integer"})], json!({})),
                json!([{"id": "v", "name": "v", "query": "SELECT id, b AS a FROM t"}]),
            ),
            data,
        ),
        pair(
            "add partition",
            "no default partition",
            partitioned(json!([low()])),
            partitioned(json!([low(), range("p2", "t_mid", 40, 60)])),
            &[&[ROW]],
        ),
        pair(
            "add partition",
            "beside a default partition",
            partitioned(json!([low(), rest()])),
            partitioned(json!([low(), range("p2", "t_mid", 40, 60), rest()])),
            rows,
        ),
        pair("drop partition", "holding rows", partitioned(json!([low(), rest()])), partitioned(json!([rest()])), rows),
        pair(
            "re-bound partition",
            "narrower",
            partitioned(json!([low(), rest()])),
            partitioned(json!([range("p1", "t_low", 0, 3), rest()])),
            rows,
        ),
        pair(
            "rename partition",
            "holding rows",
            partitioned(json!([low(), rest()])),
            partitioned(json!([range("p1", "t_small", 0, 10), rest()])),
            rows,
        ),
        pair(
            "replace routine",
            "under its trigger",
            carried(base(), touch("RETURN NEW;"), trigger.clone()),
            carried(base(), touch("IF TG_OP = 'UPDATE' THEN NULL; END IF; RETURN NEW;"), trigger.clone()),
            data,
        ),
        pair("create trigger", "with its function", base(), carried(base(), touch("RETURN NEW;"), trigger), data),
        pair(
            "enable row level security",
            "on the table",
            base(),
            t(vec![c("a", "integer", json!({}))], json!({"rowLevelSecurity": true})),
            data,
        ),
    ]
}
