//! Identity columns' settings: `GENERATED ALWAYS` and sequence options,
//! checked against the column type's range as PostgreSQL checks them.

use super::Ctx;
use crate::document::{IdentityGeneration, IdentitySpec};
use crate::model::{BaseType, ColumnType, SequenceOptions};
use crate::problem::Code;

/// The checked settings: `(always, options)`.
pub(super) fn settings(
    ctx: &mut Ctx,
    spec: &IdentitySpec,
    ty: Option<&ColumnType>,
    cpath: &str,
) -> (bool, SequenceOptions) {
    options(ctx, spec, ty, &format!("{cpath}/identity"), Code::InvalidAutoIncrement)
}

/// The checked settings of `spec`, with problems at `{prefix}/{field}`
/// under `code` (shared with standalone sequences).
pub(super) fn options(
    ctx: &mut Ctx,
    spec: &IdentitySpec,
    ty: Option<&ColumnType>,
    prefix: &str,
    code: Code,
) -> (bool, SequenceOptions) {
    let path = |field: &str| format!("{prefix}/{field}");
    let (lo, hi) = match ty.map(|t| &t.base) {
        Some(BaseType::SmallInt) => (i64::from(i16::MIN), i64::from(i16::MAX)),
        Some(BaseType::Integer) => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let mut bad = |field: &str, message: String| ctx.error(code, path(field), message);
    let type_name = ty.map_or_else(|| "the column's type".to_string(), ColumnType::describe);
    for (field, value) in [("start", spec.start), ("minValue", spec.min_value), ("maxValue", spec.max_value)] {
        if let Some(v) = value.filter(|v| *v < lo || *v > hi) {
            bad(field, format!("{v} is outside the range of {type_name} ({lo} to {hi})"));
        }
    }
    match spec.increment {
        Some(0) => bad("increment", "the increment must not be 0".into()),
        Some(i) if i128::from(i.unsigned_abs()) > i128::from(hi) - i128::from(lo) => {
            bad("increment", format!("an increment of {i} leaves the range of {type_name} at once"))
        }
        _ => {}
    }
    if spec.cache.is_some_and(|c| c < 1) {
        bad("cache", "the cache holds at least 1 value".into());
    }
    // PostgreSQL's defaults: ascending 1..max, descending min..-1.
    let ascending = spec.increment.is_none_or(|i| i > 0);
    let min = spec.min_value.unwrap_or(if ascending { 1 } else { lo });
    let max = spec.max_value.unwrap_or(if ascending { hi } else { -1 });
    if min >= max {
        bad("minValue", format!("the minimum ({min}) must be below the maximum ({max})"));
    } else if let Some(s) = spec.start.filter(|s| *s < min || *s > max) {
        bad("start", format!("the start ({s}) must lie between the minimum ({min}) and the maximum ({max})"));
    }
    let options = SequenceOptions {
        start: spec.start,
        increment: spec.increment,
        min_value: spec.min_value,
        max_value: spec.max_value,
        cache: spec.cache,
        cycle: spec.cycle,
    };
    (spec.generated == IdentityGeneration::Always, options)
}

#[cfg(test)]
mod tests {
    use crate::document::parse_document;
    use crate::validate::{ValidSchema, validate};
    use serde_json::{Value, json};

    fn doc(ty: &str, identity: Value) -> String {
        json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
            {"id": "id", "name": "id", "dataType": ty, "primaryKey": true, "identity": identity}
        ]}]})
        .to_string()
    }

    #[test]
    fn settings_reach_the_model() {
        let d = doc(
            "bigint",
            json!({"generated": "always", "start": 1000, "increment": 10, "cache": 20, "cycle": true, "maxValue": 1000000}),
        );
        let schema = ValidSchema::parse(parse_document(&d).unwrap()).unwrap();
        let identity = schema.model().tables[0].columns[0].identity.clone().unwrap();
        assert!(identity.always);
        assert_eq!(identity.sequence.as_str(), "t_id_seq");
        assert_eq!(identity.options.start, Some(1000));
        assert_eq!(identity.options.max_value, Some(1_000_000));
        assert!(identity.options.cycle);
    }

    #[test]
    fn settings_are_checked_as_postgresql_checks_them() {
        for (ty, identity, field) in [
            ("smallint", json!({"start": 40000}), "start"),
            ("integer", json!({"maxValue": 3_000_000_000_i64}), "maxValue"),
            ("integer", json!({"increment": 0}), "increment"),
            ("bigint", json!({"cache": 0}), "cache"),
            ("bigint", json!({"minValue": 10, "maxValue": 5}), "minValue"),
            ("bigint", json!({"start": 0}), "start"),
            ("bigint", json!({"increment": -1, "start": 5}), "start"),
            ("text", json!({}), "autoIncrement"),
        ] {
            let report = validate(&parse_document(&doc(ty, identity.clone())).unwrap());
            let paths: Vec<_> = report.errors().map(|p| (p.path.as_str(), p.code.as_str())).collect();
            let want = if field == "autoIncrement" {
                "/tables/0/columns/0/autoIncrement".to_string()
            } else {
                format!("/tables/0/columns/0/identity/{field}")
            };
            assert!(paths.contains(&(want.as_str(), "INVALID_AUTO_INCREMENT")), "{ty} {identity}: {paths:?}");
        }
        assert!(parse_document(&doc("bigint", json!({"generated": "sometimes"}))).is_err());
        let descending = validate(&parse_document(&doc("integer", json!({"increment": -1}))).unwrap());
        assert!(descending.valid, "{:?}", descending.problems);
    }
}
