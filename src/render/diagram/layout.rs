//! The layout of a pathway's diagram: steps placed in layers from top to
//! bottom, in user units, ready to draw.
//!
//! The classic layered layout: cycles are broken by turning back edges
//! round, each step goes on the layer after its furthest predecessor
//! (longest path), edges that skip layers pass through placeholder points,
//! each layer's order is improved by barycentre sweeps (keeping the order
//! with the fewest crossings), and each row sits under the mean of its
//! neighbours with fixed gaps, so boxes never overlap.

use std::collections::{BTreeMap, VecDeque};

/// One step as the diagram sees it.
#[derive(Debug, Clone)]
pub struct Node {
    /// The fragment the step's box links to (without `#`).
    pub href: String,
    pub title: String,
    pub urgent: bool,
    /// Indexes of the steps that follow; unknown ones are ignored.
    pub next: Vec<usize>,
}

impl Node {
    pub(super) fn ending(&self) -> bool {
        self.next.is_empty()
    }
}

/// Where everything goes, in SVG user units.
#[derive(Debug, Clone)]
pub struct Layout {
    /// One per node, in the nodes' order.
    pub boxes: Vec<Placed>,
    pub edges: Vec<Edge>,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone)]
pub struct Placed {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub layer: usize,
    /// The text lines drawn in the box, marker and ending included.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// From the edge of `from`'s box to the edge of `to`'s box.
    pub points: Vec<(f64, f64)>,
}

pub const BOX_W: f64 = 200.0;
pub(super) const PAD: f64 = 10.0;
pub(super) const LINE_H: f64 = 18.0;
pub(super) const FONT: f64 = 14.0;
const GAP_X: f64 = 28.0;
const GAP_Y: f64 = 44.0;
const MARGIN: f64 = 8.0;
const PASS_W: f64 = 14.0;
const BACK_OFFSET: f64 = 12.0;
/// Characters per line at `FONT` inside `BOX_W`.
const WRAP: usize = 24;
const MAX_TITLE_LINES: usize = 6;
/// Larger pathways get the list only: past this, a diagram stops helping.
pub const MAX_NODES: usize = 100;
/// Bound on placeholder points, so hostile input cannot blow up the work.
const MAX_PASSES: usize = 1500;
const SWEEPS: usize = 8;

pub const URGENT_MARKER: &str = "\u{26A0} URGENT";
pub const END_MARKER: &str = "End of pathway";

/// Lays out `nodes`; `None` when there is nothing to draw or too much.
pub fn layout(nodes: &[Node]) -> Option<Layout> {
    let n = nodes.len();
    if n == 0 || n > MAX_NODES {
        return None;
    }
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (u, node) in nodes.iter().enumerate() {
        for &v in &node.next {
            if v < n && v != u && seen.insert((u, v)) {
                edges.push((u, v));
            }
        }
    }
    let reversed = back_edges(n, &edges);
    // The acyclic graph used for layering: back edges turned round.
    let dag: Vec<(usize, usize)> = edges
        .iter()
        .zip(&reversed)
        .map(|(&(u, v), &r)| if r { (v, u) } else { (u, v) })
        .collect();
    let layer = longest_path_layers(n, &dag);

    // Vertices: the nodes, then placeholder points for edges that skip layers.
    let mut v_layer = layer.clone();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(dag.len());
    for &(a, b) in &dag {
        let mut chain = vec![a];
        for l in layer[a] + 1..layer[b] {
            if v_layer.len() - n >= MAX_PASSES {
                return None;
            }
            v_layer.push(l);
            chain.push(v_layer.len() - 1);
        }
        chain.push(b);
        chains.push(chain);
    }
    let vn = v_layer.len();
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); vn];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); vn];
    for chain in &chains {
        for pair in chain.windows(2) {
            down[pair[0]].push(pair[1]);
            up[pair[1]].push(pair[0]);
        }
    }
    let layers_n = layer.iter().max().map_or(1, |m| m + 1);
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); layers_n];
    for v in 0..vn {
        order[v_layer[v]].push(v);
    }
    let order = reduce_crossings(order, &up, &down);

    // Box sizes and layer rows.
    let lines: Vec<Vec<String>> = nodes.iter().map(box_lines).collect();
    let height_of = |v: usize| {
        if v < n {
            2.0 * PAD + lines[v].len() as f64 * LINE_H
        } else {
            0.0
        }
    };
    let width_of = |v: usize| if v < n { BOX_W } else { PASS_W };
    let mut row_top = vec![0.0; layers_n];
    let mut row_h = vec![0.0; layers_n];
    let mut y = MARGIN;
    for l in 0..layers_n {
        row_top[l] = y;
        row_h[l] = order[l]
            .iter()
            .map(|&v| height_of(v))
            .fold(LINE_H, f64::max);
        y += row_h[l] + GAP_Y;
    }
    let height = y - GAP_Y + MARGIN;

    // Horizontal centres: each vertex under the mean of its neighbours
    // above (then below, then above again), moved as little as keeps the
    // order and the gaps.
    let mut cx = vec![f64::NAN; vn];
    for (pass, rows) in [
        (0, (0..layers_n).collect::<Vec<_>>()),
        (1, (0..layers_n).rev().collect()),
        (2, (0..layers_n).collect()),
    ] {
        for l in rows {
            let desired: Vec<f64> = order[l]
                .iter()
                .map(|&v| {
                    let near = if pass == 1 { &down[v] } else { &up[v] };
                    let known: Vec<f64> = near
                        .iter()
                        .map(|&u| cx[u])
                        .filter(|c| c.is_finite())
                        .collect();
                    if known.is_empty() {
                        cx[v]
                    } else {
                        known.iter().sum::<f64>() / known.len() as f64
                    }
                })
                .collect();
            let widths: Vec<f64> = order[l].iter().map(|&v| width_of(v)).collect();
            for (v, c) in order[l].iter().zip(place_row(&desired, &widths)) {
                cx[*v] = c;
            }
        }
    }
    let left = (0..vn)
        .map(|v| cx[v] - width_of(v) / 2.0)
        .fold(f64::INFINITY, f64::min);
    for c in &mut cx {
        *c += MARGIN - left;
    }
    let width = (0..vn)
        .map(|v| cx[v] + width_of(v) / 2.0)
        .fold(0.0, f64::max)
        + MARGIN;

    let boxes = (0..n)
        .map(|v| Placed {
            x: cx[v] - BOX_W / 2.0,
            y: row_top[layer[v]],
            w: BOX_W,
            h: height_of(v),
            layer: layer[v],
            lines: lines[v].clone(),
        })
        .collect::<Vec<_>>();
    let edges: Vec<Edge> = edges
        .iter()
        .zip(&reversed)
        .zip(&chains)
        .map(|((&(from, to), &rev), chain)| {
            let mut points = Vec::with_capacity(chain.len() * 2);
            for (i, &v) in chain.iter().enumerate() {
                let top = row_top[v_layer[v]];
                if v < n {
                    let b = &boxes[v];
                    let y = if i == 0 { b.y + b.h } else { b.y };
                    points.push((cx[v], y));
                } else {
                    points.push((cx[v], top));
                    points.push((cx[v], top + row_h[v_layer[v]]));
                }
            }
            if rev {
                // Drawn beside the forward edge it may share a line with.
                for point in &mut points {
                    point.0 += BACK_OFFSET;
                }
                points.reverse();
            }
            Edge { from, to, points }
        })
        .collect();
    let mut edges: Vec<Edge> = edges;
    spread_ends(&boxes, &mut edges);
    Some(Layout {
        boxes,
        edges,
        width,
        height,
    })
}

/// A box and whether its bottom side (else its top).
type Side = (usize, bool);
/// An edge, whether its first point (else its last), and the x of the
/// point next to it.
type End = (usize, bool, f64);

/// Edges meeting a box on the same side arrive at points spread along
/// that side, in the order they come from, so arrowheads do not pile up.
fn spread_ends(boxes: &[Placed], edges: &mut [Edge]) {
    let mut ends: BTreeMap<Side, Vec<End>> = BTreeMap::new();
    for (i, e) in edges.iter().enumerate() {
        let n = e.points.len();
        if n < 2 {
            continue;
        }
        for (first, at, near, node) in [
            (true, e.points[0], e.points[1], e.from),
            (false, e.points[n - 1], e.points[n - 2], e.to),
        ] {
            let bottom = at.1 > boxes[node].y;
            ends.entry((node, bottom))
                .or_default()
                .push((i, first, near.0));
        }
    }
    for ((node, _), mut list) in ends {
        if list.len() < 2 {
            continue;
        }
        list.sort_by(|a, b| a.2.total_cmp(&b.2));
        let b = &boxes[node];
        let step = (b.w * 0.6 / list.len() as f64).min(24.0);
        let mid = (list.len() - 1) as f64 / 2.0;
        for (k, (edge, first, _)) in list.into_iter().enumerate() {
            let x = b.x + b.w / 2.0 + (k as f64 - mid) * step;
            let points = &mut edges[edge].points;
            let at = if first { 0 } else { points.len() - 1 };
            points[at].0 = x;
        }
    }
}

/// Centres for one row, in order: as near `desired` as the gaps allow
/// (unknown wishes, NaN, just follow on), then the row shifted so that on
/// average it sits where it was wished.
fn place_row(desired: &[f64], widths: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::with_capacity(desired.len());
    for (i, (&d, &w)) in desired.iter().zip(widths).enumerate() {
        let min = match i {
            0 => f64::NEG_INFINITY,
            _ => out[i - 1] + widths[i - 1] / 2.0 + GAP_X + w / 2.0,
        };
        let c = if d.is_finite() { d.max(min) } else { min };
        out.push(if c.is_finite() { c } else { w / 2.0 });
    }
    let wished: Vec<f64> = desired
        .iter()
        .zip(&out)
        .filter(|(d, _)| d.is_finite())
        .map(|(d, c)| d - c)
        .collect();
    if !wished.is_empty() {
        let shift = wished.iter().sum::<f64>() / wished.len() as f64;
        for c in &mut out {
            *c += shift;
        }
    }
    out
}

/// Which edges close a cycle, found by depth-first search from the first
/// step (then from any step not yet seen), without recursion.
fn back_edges(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, &(u, _)) in edges.iter().enumerate() {
        out_edges[u].push(i);
    }
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    let mut back = vec![false; edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some((u, k)) = stack.pop() {
            if let Some(&e) = out_edges[u].get(k) {
                stack.push((u, k + 1));
                let v = edges[e].1;
                match state[v] {
                    0 => {
                        state[v] = 1;
                        stack.push((v, 0));
                    }
                    1 => back[e] = true,
                    _ => {}
                }
            } else {
                state[u] = 2;
            }
        }
    }
    back
}

/// Each node's layer: one more than its furthest predecessor's.
fn longest_path_layers(n: usize, dag: &[(usize, usize)]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(u, v) in dag {
        indegree[v] += 1;
        out[u].push(v);
    }
    let mut layer = vec![0usize; n];
    let mut queue: VecDeque<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    while let Some(u) = queue.pop_front() {
        for &v in &out[u] {
            layer[v] = layer[v].max(layer[u] + 1);
            indegree[v] -= 1;
            if indegree[v] == 0 {
                queue.push_back(v);
            }
        }
    }
    layer
}

/// Barycentre sweeps down and up; the order with the fewest crossings wins.
fn reduce_crossings(
    mut order: Vec<Vec<usize>>,
    up: &[Vec<usize>],
    down: &[Vec<usize>],
) -> Vec<Vec<usize>> {
    let mut position = vec![0usize; up.len()];
    let index = |order: &[Vec<usize>], position: &mut [usize]| {
        for row in order {
            for (i, &v) in row.iter().enumerate() {
                position[v] = i;
            }
        }
    };
    index(&order, &mut position);
    let mut best = order.clone();
    let mut best_crossings = crossings(&order, down, &position);
    for sweep in 0..SWEEPS {
        let downwards = sweep % 2 == 0;
        let rows: Vec<usize> = if downwards {
            (1..order.len()).collect()
        } else {
            (0..order.len().saturating_sub(1)).rev().collect()
        };
        for l in rows {
            let keys: Vec<(f64, usize)> = order[l]
                .iter()
                .map(|&v| {
                    let near = if downwards { &up[v] } else { &down[v] };
                    let key = if near.is_empty() {
                        position[v] as f64
                    } else {
                        near.iter().map(|&u| position[u] as f64).sum::<f64>() / near.len() as f64
                    };
                    (key, v)
                })
                .collect();
            let mut sorted = keys;
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            order[l] = sorted.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in order[l].iter().enumerate() {
                position[v] = i;
            }
        }
        let c = crossings(&order, down, &position);
        if c < best_crossings {
            best_crossings = c;
            best = order.clone();
        }
        if best_crossings == 0 {
            break;
        }
    }
    best
}

/// The number of pairs of edges that cross between neighbouring layers.
fn crossings(order: &[Vec<usize>], down: &[Vec<usize>], position: &[usize]) -> usize {
    let mut total = 0;
    for row in order {
        let pairs: Vec<(usize, usize)> = row
            .iter()
            .flat_map(|&u| down[u].iter().map(move |&v| (position[u], position[v])))
            .collect();
        for (i, a) in pairs.iter().enumerate() {
            for b in &pairs[i + 1..] {
                if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                    total += 1;
                }
            }
        }
    }
    total
}

/// The lines of text in a step's box: the urgent marker, the numbered
/// title wrapped to the box, and the ending marker.
fn box_lines(node: &Node) -> Vec<String> {
    let mut lines = Vec::new();
    if node.urgent {
        lines.push(URGENT_MARKER.to_string());
    }
    lines.extend(wrap(&node.title, WRAP, MAX_TITLE_LINES));
    if node.ending() {
        lines.push(END_MARKER.to_string());
    }
    lines
}

/// Greedy word wrap; words longer than a line are cut, and text beyond
/// `max_lines` ends in an ellipsis.
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let (width, max_lines) = (width.max(1), max_lines.max(1));
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while !word.is_empty() {
            let used = current.chars().count();
            let room = if used == 0 {
                width
            } else {
                width.saturating_sub(used + 1)
            };
            if word.len() <= room {
                if used > 0 {
                    current.push(' ');
                }
                current.extend(word.drain(..));
            } else if used == 0 {
                current.extend(word.drain(..width));
                lines.push(std::mem::take(&mut current));
            } else {
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = &mut lines[max_lines - 1];
        let keep: String = last.chars().take(width.saturating_sub(1)).collect();
        *last = format!("{keep}\u{2026}");
    }
    lines
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A plain step titled `title` that goes next to `next`.
    pub(in crate::render::diagram) fn node(title: &str, next: &[usize]) -> Node {
        Node {
            href: title.to_lowercase(),
            title: title.into(),
            urgent: false,
            next: next.to_vec(),
        }
    }

    fn overlap(a: &Placed, b: &Placed) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    fn assert_no_overlaps(layout: &Layout) {
        for (i, a) in layout.boxes.iter().enumerate() {
            assert!(a.x >= 0.0 && a.y >= 0.0, "box {i} starts outside: {a:?}");
            assert!(
                a.x + a.w <= layout.width && a.y + a.h <= layout.height,
                "box {i} ends outside the {}x{} view: {a:?}",
                layout.width,
                layout.height
            );
            for (j, b) in layout.boxes.iter().enumerate().skip(i + 1) {
                assert!(!overlap(a, b), "boxes {i} and {j} overlap: {a:?} {b:?}");
            }
        }
    }

    /// Twelve steps: a first question that branches three ways, an urgent
    /// branch, two branches that join again, and three endings.
    fn twelve() -> Vec<Node> {
        let mut nodes = vec![
            node("Notice", &[1, 2, 3]),
            node("Immediate risk", &[4]),
            node("Listen", &[5]),
            node("Talk to parents", &[6]),
            node("Call 999", &[7]),
            node("Record", &[7]),
            node("Early help", &[8]),
            node("Tell the DSL", &[8, 9]),
            node("Plan support", &[10]),
            node("Refer to CAMHS", &[10, 11]),
            node("Review", &[]),
            node("Close the case", &[]),
        ];
        nodes[1].urgent = true;
        nodes[4].urgent = true;
        nodes
    }

    #[test]
    fn twelve_steps_with_branches_and_a_join_do_not_overlap() {
        let layout = layout(&twelve()).unwrap();
        assert_eq!(layout.boxes.len(), 12);
        assert_no_overlaps(&layout);
        // Longest-path layers: the join `Tell the DSL` sits below both
        // `Call 999` and `Record`.
        let l = |i: usize| layout.boxes[i].layer;
        assert_eq!((l(0), l(1), l(4), l(5), l(7)), (0, 1, 2, 2, 3));
        assert!(l(10) > l(9) && l(9) > l(7));
        // Every edge goes from the bottom of its box to the top of the next.
        for e in &layout.edges {
            let (from, to) = (&layout.boxes[e.from], &layout.boxes[e.to]);
            assert_eq!(e.points.first().unwrap().1, from.y + from.h);
            assert_eq!(e.points.last().unwrap().1, to.y);
        }
    }

    #[test]
    fn rows_of_boxes_keep_their_gaps() {
        let layout = layout(&twelve()).unwrap();
        for a in &layout.boxes {
            for b in &layout.boxes {
                if a.layer == b.layer && a.x < b.x {
                    assert!(b.x - (a.x + a.w) >= GAP_X - 0.01, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn a_cycle_is_laid_out_and_does_not_hang() {
        let nodes = vec![
            node("Start", &[1]),
            node("Check", &[2]),
            node("Try again", &[1, 3]),
            node("Done", &[]),
        ];
        let layout = layout(&nodes).unwrap();
        assert_no_overlaps(&layout);
        assert_eq!(layout.edges.len(), 4);
        // The edge back up still ends at the box it points to.
        let back = layout
            .edges
            .iter()
            .find(|e| e.to == 1 && e.from == 2)
            .unwrap();
        let target = &layout.boxes[1];
        let end = back.points.last().unwrap();
        assert!(
            end.1 == target.y || end.1 == target.y + target.h,
            "{back:?}"
        );
        // A cycle with no way out at all, and a self-loop.
        let closed = vec![node("A", &[1]), node("B", &[2]), node("C", &[0, 2])];
        assert_no_overlaps(&layout_of(&closed));
    }

    fn layout_of(nodes: &[Node]) -> Layout {
        layout(nodes).unwrap()
    }

    #[test]
    fn crossings_are_reduced() {
        // 0 → 2, 3 and 1 → 2 placed so that a naive order crosses.
        let nodes = vec![
            node("Top", &[2, 1]),
            node("Left", &[4]),
            node("Right", &[3]),
            node("Under right", &[]),
            node("Under left", &[]),
        ];
        let layout = layout(&nodes).unwrap();
        assert_no_overlaps(&layout);
        let (b1, b2, b3, b4) = (
            &layout.boxes[1],
            &layout.boxes[2],
            &layout.boxes[3],
            &layout.boxes[4],
        );
        assert_eq!(b1.x < b2.x, b4.x < b3.x, "the two branches cross");
    }

    #[test]
    fn too_big_or_empty_is_not_drawn() {
        assert!(layout(&[]).is_none());
        let chain: Vec<Node> = (0..=MAX_NODES).map(|i| node("x", &[i + 1])).collect();
        assert!(layout(&chain).is_none());
        // Everything pointing at everything: bounded, and no hang.
        let dense: Vec<Node> = (0..60)
            .map(|i| node("x", &(i + 1..60).collect::<Vec<_>>()))
            .collect();
        let _ = layout(&dense);
    }

    /// A measurement, not a check: `cargo test --release --lib layout_speed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn layout_speed() {
        let graphs: Vec<(&str, Vec<Node>)> = vec![
            ("12 steps", twelve()),
            (
                "100-step chain",
                (0..100)
                    .map(|i| node("A step with a longer title to wrap", &[i + 1]))
                    .collect(),
            ),
            (
                "60 steps, each to all later",
                (0..60)
                    .map(|i| node("x", &(i + 1..60).collect::<Vec<_>>()))
                    .collect(),
            ),
        ];
        for (name, nodes) in graphs {
            let start = std::time::Instant::now();
            let runs = 20;
            for _ in 0..runs {
                std::hint::black_box(layout(&nodes));
            }
            println!("{name}: {:?} per diagram", start.elapsed() / runs);
        }
    }

    #[test]
    fn wrapping() {
        assert_eq!(
            wrap(
                "Tell the DSL the same day, before the pupil goes home",
                24,
                6
            ),
            vec![
                "Tell the DSL the same",
                "day, before the pupil",
                "goes home"
            ]
        );
        assert_eq!(wrap("abcdefghij", 4, 6), vec!["abcd", "efgh", "ij"]);
        let long = wrap(&"word ".repeat(100), 10, 2);
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('\u{2026}'));
    }
}
