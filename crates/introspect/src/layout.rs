//! Positions for the designer: tables in layers by their foreign keys
//! (a table right of every table it references; cycles broken at the edge
//! that closes them), stacked top to bottom in document order within a
//! layer, views in a last layer. Linear in tables plus foreign keys.

use std::collections::HashMap;

use schemaforge_domain::{Position, SchemaDocument};

use crate::Counts;

/// Horizontal distance between layers.
const LAYER_WIDTH: f64 = 360.0;
/// Height of a table's title and margins.
const TABLE_BASE: f64 = 60.0;
/// Height of one column's row.
const ROW_HEIGHT: f64 = 24.0;

/// The layer of every table (by index), referenced tables first.
fn layers(doc: &SchemaDocument) -> Vec<usize> {
    let at: HashMap<&str, usize> = doc.tables.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    let mut targets: Vec<Vec<usize>> = vec![Vec::new(); doc.tables.len()];
    for fk in &doc.foreign_keys {
        if let (Some(&s), Some(&t)) = (at.get(fk.source_table_id.as_str()), at.get(fk.target_table_id.as_str())) {
            if s != t {
                targets[s].push(t);
            }
        }
    }
    // Iterative depth-first search: 0 new, 1 on the stack, 2 done.
    let mut state = vec![0u8; doc.tables.len()];
    let mut layer = vec![0usize; doc.tables.len()];
    for root in 0..doc.tables.len() {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&t) = targets[node].get(*next) {
                *next += 1;
                if state[t] == 0 {
                    state[t] = 1;
                    stack.push((t, 0));
                }
                continue;
            }
            let deepest = targets[node].iter().filter(|&&t| state[t] == 2).map(|&t| layer[t] + 1).max();
            layer[node] = deepest.unwrap_or(0);
            state[node] = 2;
            stack.pop();
        }
    }
    layer
}

/// Give every table and view a position.
pub(crate) fn place(doc: &mut SchemaDocument) {
    let layer = layers(doc);
    let mut heights: Vec<f64> = Vec::new();
    for (t, l) in doc.tables.iter_mut().zip(&layer) {
        if heights.len() <= *l {
            heights.resize(*l + 1, 0.0);
        }
        t.position = Some(Position { x: *l as f64 * LAYER_WIDTH, y: heights[*l] });
        heights[*l] += TABLE_BASE + ROW_HEIGHT * t.columns.len() as f64;
    }
    let x = heights.len() as f64 * LAYER_WIDTH;
    let mut y = 0.0;
    for v in &mut doc.views {
        v.position = Some(Position { x, y });
        y += TABLE_BASE + ROW_HEIGHT * 4.0;
    }
}

/// How many objects of each kind `doc` holds.
pub(crate) fn count(doc: &SchemaDocument) -> Counts {
    let tables = &doc.tables;
    Counts {
        namespaces: doc.namespaces.len(),
        extensions: doc.extensions.len(),
        enums: doc.enums.len(),
        domains: doc.domains.len(),
        composites: doc.composites.len(),
        sequences: doc.sequences.len(),
        tables: tables.len(),
        partitions: tables.iter().map(|t| t.partitions.len()).sum(),
        columns: tables.iter().map(|t| t.columns.len()).sum(),
        indexes: tables
            .iter()
            .map(|t| t.indexes.len() + t.partitions.iter().map(|p| p.indexes.len()).sum::<usize>())
            .sum::<usize>()
            + doc.views.iter().map(|v| v.indexes.len()).sum::<usize>(),
        foreign_keys: doc.foreign_keys.len(),
        constraints: tables.iter().map(|t| t.checks.len() + t.uniques.len() + t.exclusions.len()).sum(),
        views: doc.views.len(),
        functions: doc.functions.len(),
        triggers: doc.triggers.len(),
        policies: doc.policies.len(),
        rules: doc.rules.len(),
        grants: doc.grants.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemaforge_domain::{ForeignKey, ReferentialAction, Table};

    fn table(id: &str) -> Table {
        serde_json::from_value(serde_json::json!({"id": id, "name": id, "columns": []})).unwrap()
    }

    fn fk(id: &str, from: &str, to: &str) -> ForeignKey {
        ForeignKey {
            id: id.into(),
            name: None,
            source_table_id: from.into(),
            source_column_ids: None,
            source_column_id: None,
            target_table_id: to.into(),
            target_column_ids: None,
            target_column_id: None,
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
            match_type: Default::default(),
            deferrable: false,
            initially_deferred: false,
            comment: None,
        }
    }

    #[test]
    fn referencing_tables_sit_right_of_what_they_reference_and_cycles_end() {
        let mut doc: SchemaDocument = serde_json::from_str(r#"{"name": "x"}"#).unwrap();
        doc.tables = vec![table("lines"), table("orders"), table("customers"), table("a"), table("b")];
        doc.foreign_keys = vec![
            fk("f1", "lines", "orders"),
            fk("f2", "orders", "customers"),
            fk("f3", "a", "b"),
            fk("f4", "b", "a"),
            fk("f5", "customers", "customers"),
        ];
        assert_eq!(layers(&doc), vec![2, 1, 0, 1, 0]);
        place(&mut doc);
        let p: Vec<(f64, f64)> = doc.tables.iter().map(|t| t.position.map(|p| (p.x, p.y)).unwrap()).collect();
        assert_eq!(p[0], (2.0 * LAYER_WIDTH, 0.0));
        assert_eq!(p[3], (LAYER_WIDTH, TABLE_BASE));
    }
}
