//! The complexity summary shown next to validation results.

use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

use crate::document::SchemaDocument;

/// Size and shape of a schema.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Number of tables.
    pub tables: usize,
    /// Number of columns over all tables.
    pub columns: usize,
    /// Number of foreign keys.
    pub relations: usize,
    /// Number of indexes (not counting key constraints).
    pub indexes: usize,
    /// Number of check constraints.
    pub checks: usize,
    /// Number of enums.
    pub enums: usize,
    /// Most columns in one table.
    pub max_columns_per_table: usize,
    /// Foreign keys whose table references itself.
    pub self_references: usize,
    /// Groups of two or more tables that reference each other in a cycle.
    pub cycles: usize,
    /// The table names of each cycle group, sorted.
    pub cycle_groups: Vec<Vec<String>>,
    /// Number of domains (left out when there are none, as below).
    #[serde(skip_serializing_if = "is_zero")]
    pub domains: usize,
    /// Number of composite types.
    #[serde(skip_serializing_if = "is_zero")]
    pub composites: usize,
    /// Number of standalone sequences.
    #[serde(skip_serializing_if = "is_zero")]
    pub sequences: usize,
    /// Number of extensions.
    #[serde(skip_serializing_if = "is_zero")]
    pub extensions: usize,
    /// Number of namespaces besides `public`.
    #[serde(skip_serializing_if = "is_zero")]
    pub namespaces: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Summarize `doc`; `tables` gives each table's id and display name.
pub(crate) fn summarize(doc: &SchemaDocument, tables: &[(String, String)]) -> Summary {
    let index: HashMap<&str, usize> = tables.iter().enumerate().map(|(i, (id, _))| (id.as_str(), i)).collect();
    let mut adjacency = vec![BTreeSet::new(); tables.len()];
    let mut self_references = 0;
    for fk in &doc.foreign_keys {
        if let (Some(&s), Some(&t)) = (index.get(fk.source_table_id.as_str()), index.get(fk.target_table_id.as_str())) {
            if s == t {
                self_references += 1;
            } else {
                adjacency[s].insert(t);
            }
        }
    }
    let adjacency: Vec<Vec<usize>> = adjacency.into_iter().map(|s| s.into_iter().collect()).collect();
    let mut cycle_groups: Vec<Vec<String>> = strongly_connected(&adjacency)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut names: Vec<String> = c.into_iter().map(|i| tables[i].1.clone()).collect();
            names.sort();
            names
        })
        .collect();
    cycle_groups.sort();
    Summary {
        tables: doc.tables.len(),
        columns: doc.tables.iter().map(|t| t.columns.len()).sum(),
        relations: doc.foreign_keys.len(),
        indexes: doc.tables.iter().map(|t| t.indexes.len()).sum(),
        checks: doc.tables.iter().map(|t| t.checks.len()).sum(),
        enums: doc.enums.len(),
        max_columns_per_table: doc.tables.iter().map(|t| t.columns.len()).max().unwrap_or(0),
        self_references,
        cycles: cycle_groups.len(),
        cycle_groups,
        domains: doc.domains.len(),
        composites: doc.composites.len(),
        sequences: doc.sequences.len(),
        extensions: doc.extensions.len(),
        namespaces: doc.namespaces.len(),
    }
}

/// Strongly connected components (iterative Tarjan, so deep graphs cannot
/// overflow the stack). Components come out in reverse topological order.
pub(crate) fn strongly_connected(adjacency: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adjacency.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = adjacency[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                out.push(component);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_singletons() {
        // 0 -> 1 -> 2 -> 0, 3 -> 0, 4 alone
        let adj = vec![vec![1], vec![2], vec![0], vec![0], vec![]];
        let mut comps = strongly_connected(&adj);
        comps.sort();
        assert_eq!(comps, vec![vec![0, 1, 2], vec![3], vec![4]]);
    }

    #[test]
    fn deep_chain_does_not_overflow() {
        let n = 200_000;
        let adj: Vec<Vec<usize>> = (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![0] }).collect();
        let comps = strongly_connected(&adj);
        assert_eq!(comps.len(), 1);
        assert_eq!(comps[0].len(), n);
    }
}
