//! Ids: non-empty, short, unique across the whole document.

use super::*;

pub(super) fn check_ids(ctx: &mut Ctx, doc: &SchemaDocument) {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut add = |ctx: &mut Ctx, id: &str, path: String| {
        if id.trim().is_empty() {
            ctx.error(Code::InvalidId, path, "ids must not be empty");
        } else if id.chars().any(char::is_control) || id.len() > 200 {
            ctx.error(Code::InvalidId, path, "ids must be at most 200 bytes without control characters");
        } else if let Some(first) = seen.get(id) {
            ctx.error(Code::DuplicateId, path, format!("id `{id}` is already used at {first}"));
        } else {
            seen.insert(id.to_string(), path);
        }
    };
    for (ti, t) in doc.tables.iter().enumerate() {
        add(ctx, &t.id, ptr(&[&"tables", &ti, &"id"]));
        for (ci, c) in t.columns.iter().enumerate() {
            add(ctx, &c.id, ptr(&[&"tables", &ti, &"columns", &ci, &"id"]));
        }
        for (xi, x) in t.indexes.iter().enumerate() {
            add(ctx, &x.id, ptr(&[&"tables", &ti, &"indexes", &xi, &"id"]));
        }
        for (ki, k) in t.checks.iter().enumerate() {
            add(ctx, &k.id, ptr(&[&"tables", &ti, &"checks", &ki, &"id"]));
        }
        for (ui, u) in t.uniques.iter().enumerate() {
            add(ctx, &u.id, ptr(&[&"tables", &ti, &"uniques", &ui, &"id"]));
        }
        for (xi, x) in t.exclusions.iter().enumerate() {
            add(ctx, &x.id, ptr(&[&"tables", &ti, &"exclusions", &xi, &"id"]));
        }
        for (pi, p) in t.partitions.iter().enumerate() {
            add(ctx, &p.id, ptr(&[&"tables", &ti, &"partitions", &pi, &"id"]));
            for (xi, x) in p.indexes.iter().enumerate() {
                add(ctx, &x.id, ptr(&[&"tables", &ti, &"partitions", &pi, &"indexes", &xi, &"id"]));
            }
        }
    }
    for (fi, f) in doc.foreign_keys.iter().enumerate() {
        add(ctx, &f.id, ptr(&[&"foreignKeys", &fi, &"id"]));
    }
    for (xi, x) in doc.extensions.iter().enumerate() {
        add(ctx, &x.id, ptr(&[&"extensions", &xi, &"id"]));
    }
    for (si, x) in doc.sequences.iter().enumerate() {
        add(ctx, &x.id, ptr(&[&"sequences", &si, &"id"]));
    }
    for (ci, x) in doc.collations.iter().enumerate() {
        add(ctx, &x.id, ptr(&[&"collations", &ci, &"id"]));
    }
    for (ti, x) in doc.text_search_configurations.iter().enumerate() {
        add(ctx, &x.id, ptr(&[&"textSearchConfigurations", &ti, &"id"]));
    }
    let carried = [
        ("functions", &doc.functions),
        ("triggers", &doc.triggers),
        ("policies", &doc.policies),
        ("rules", &doc.rules),
        ("grants", &doc.grants),
    ];
    for (list, objects) in carried {
        for (i, o) in objects.iter().enumerate() {
            add(ctx, &o.id, ptr(&[&list, &i, &"id"]));
        }
    }
    for (vi, v) in doc.views.iter().enumerate() {
        add(ctx, &v.id, ptr(&[&"views", &vi, &"id"]));
        for (xi, x) in v.indexes.iter().enumerate() {
            add(ctx, &x.id, ptr(&[&"views", &vi, &"indexes", &xi, &"id"]));
        }
    }
    for (ni, n) in doc.namespaces.iter().enumerate() {
        add(ctx, &n.id, ptr(&[&"namespaces", &ni, &"id"]));
    }
    for (ei, e) in doc.enums.iter().enumerate() {
        add(ctx, &e.id, ptr(&[&"enums", &ei, &"id"]));
        for (vi, v) in e.values.iter().enumerate() {
            if let Some(id) = v.id() {
                add(ctx, id, ptr(&[&"enums", &ei, &"values", &vi, &"id"]));
            }
        }
    }
}
