//! Block-triangular ordering of the technosphere: strongly connected
//! components (loops of co-dependent processes) of the supplier graph, in
//! an order where every supplier comes before its consumers.
//!
//! With processes in that order A is block upper triangular: a left-looking
//! LU needs no fill outside the diagonal blocks (the loops), so its cost is
//! proportional to the number of non-zeros.

use crate::system::Pattern;

/// A topological order of the loops of a square pattern.
#[derive(Clone, Debug)]
pub struct BlockOrder {
    /// Process indices, suppliers first; the processes of one loop are
    /// consecutive.
    pub order: Vec<usize>,
    /// Start of each block in `order` (plus `order.len()` at the end).
    pub block_start: Vec<usize>,
}

impl BlockOrder {
    /// Number of blocks (loops and single processes).
    pub fn blocks(&self) -> usize {
        self.block_start.len() - 1
    }

    /// Size of the largest block (1 when the system has no loop).
    pub fn largest_block(&self) -> usize {
        self.block_start
            .windows(2)
            .map(|w| w[1] - w[0])
            .max()
            .unwrap_or(0)
    }

    /// Number of blocks of more than one process.
    pub fn loops(&self) -> usize {
        self.block_start
            .windows(2)
            .filter(|w| w[1] - w[0] > 1)
            .count()
    }
}

/// Tarjan's algorithm, iterative (no recursion, whatever the depth), on the
/// graph "process j uses product k" (row k of column j, k ≠ j). Components
/// come out dependencies first.
pub fn block_order(a: &Pattern) -> BlockOrder {
    let n = a.ncols;
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    // Call stack of (node, next edge position).
    let mut calls: Vec<(usize, usize)> = Vec::new();
    let mut next_index = 0usize;
    let mut order = Vec::with_capacity(n);
    let mut block_start = vec![0usize];
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        calls.push((root, a.col_ptr[root]));
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = calls.last_mut() {
            let end = a.col_ptr[v + 1];
            let mut descended = false;
            while *pos < end {
                let w = a.row_idx[*pos];
                *pos += 1;
                if w == v {
                    continue;
                }
                if index[w] == UNSEEN {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, a.col_ptr[w]));
                    descended = true;
                    break;
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            }
            if descended {
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                loop {
                    let w = stack.pop().expect("Tarjan stack holds the component");
                    on_stack[w] = false;
                    order.push(w);
                    if w == v {
                        break;
                    }
                }
                block_start.push(order.len());
            }
        }
    }
    BlockOrder { order, block_start }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::{ProductSystem, SystemData, TechExchange};
    use crate::uncertainty::Uncertainty;

    fn system(edges: &[(usize, usize)], n: usize) -> ProductSystem {
        // edges: (supplier, consumer)
        let mut tech: Vec<TechExchange> = (0..n)
            .map(|i| TechExchange {
                product: format!("p{i}"),
                process: format!("P{i}"),
                amount: 1.0,
                uncertainty: Uncertainty::None,
            })
            .collect();
        for &(s, c) in edges {
            tech.push(TechExchange {
                product: format!("p{s}"),
                process: format!("P{c}"),
                amount: -0.1,
                uncertainty: Uncertainty::None,
            });
        }
        ProductSystem::build(SystemData {
            technosphere: tech,
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn suppliers_come_first_and_loops_are_blocks() {
        // 0 <- 1 <- 2, loop 2 <-> 3, 4 uses 3 and 0.
        let s = system(&[(0, 1), (1, 2), (2, 3), (3, 2), (3, 4), (0, 4)], 5);
        let b = block_order(&s.a);
        let pos: Vec<usize> = (0..5)
            .map(|p| b.order.iter().position(|&q| q == p).unwrap())
            .collect();
        assert!(pos[0] < pos[1] && pos[1] < pos[2] && pos[1] < pos[3]);
        assert!(pos[2] < pos[4] && pos[3] < pos[4]);
        assert_eq!(b.largest_block(), 2);
        assert_eq!(b.loops(), 1);
        assert_eq!(b.blocks(), 4);
    }

    #[test]
    fn deep_chains_do_not_recurse() {
        let n = 200_000;
        let edges: Vec<(usize, usize)> = (1..n).map(|i| (i, i - 1)).collect();
        let s = system(&edges, n);
        let b = block_order(&s.a);
        assert_eq!(b.order[0], n - 1);
        assert_eq!(b.blocks(), n);
    }
}
