//! The diagram of a pathway, drawn at build time as inline SVG (no script,
//! no outside tool) from the layout in `layout`. Meaning is carried by
//! strokes and text, never by colour alone, so the diagram prints in black
//! and white; all text is escaped for XML.

mod layout;

use std::fmt::Write;

use super::escape_html;
pub use layout::{END_MARKER, Layout, Node, Placed, URGENT_MARKER, layout, wrap};
use layout::{FONT, LINE_H, PAD};

/// Text escaped for XML, without the control characters XML 1.0 forbids.
fn esc(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    escape_html(&clean)
}

/// What the SVG needs beyond the layout.
pub struct Labels<'a> {
    /// Prefix for every id the SVG defines (print holds many diagrams).
    pub id_prefix: &'a str,
    /// The `<title>` of the SVG.
    pub title: &'a str,
    /// The text alternative: what the list of steps says.
    pub description: &'a str,
}

/// The diagram as an inline SVG element, or `None` when it is not drawn.
pub fn svg(nodes: &[Node], labels: &Labels) -> Option<String> {
    let layout = layout(nodes)?;
    let p = esc(labels.id_prefix);
    let (w, h) = (layout.width.ceil(), layout.height.ceil());
    let mut s = String::with_capacity(2048 + nodes.len() * 600);
    // Never smaller than 80% (text stays about 11 px) nor larger than 125%:
    // wide pathways scroll sideways in their region instead of shrinking.
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pathway-svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" style=\"min-width:{}px;max-width:{}px\" role=\"group\" aria-labelledby=\"{p}pathway-diagram-svg-title\" aria-describedby=\"{p}pathway-diagram-desc\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\" font-size=\"{FONT}\">",
        (w * 0.8).round(),
        (w * 1.25).round()
    );
    let _ = write!(
        s,
        "<title id=\"{p}pathway-diagram-svg-title\">{}</title><desc id=\"{p}pathway-diagram-desc\">{}</desc>",
        esc(labels.title),
        esc(labels.description)
    );
    let _ = write!(
        s,
        "<defs><marker id=\"{p}pathway-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"diagram-arrowhead\" fill=\"#1a1a1a\"/></marker></defs>"
    );
    s.push_str("<g class=\"diagram-edges\">");
    for edge in &layout.edges {
        let mut d = String::new();
        for (i, (x, y)) in edge.points.iter().enumerate() {
            let _ = write!(d, "{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x, y);
        }
        let _ = write!(
            s,
            "<path d=\"{d}\" class=\"diagram-edge\" fill=\"none\" stroke=\"#1a1a1a\" stroke-width=\"1.5\" marker-end=\"url(#{p}pathway-arrow)\"/>"
        );
    }
    s.push_str("</g><g class=\"diagram-steps\">");
    for (node, b) in nodes.iter().zip(&layout.boxes) {
        let mut class = String::from("diagram-step");
        if node.urgent {
            class.push_str(" diagram-urgent");
        }
        if node.ending() {
            class.push_str(" diagram-end");
        }
        // Each box links to its step in the list. The SVG is a group (not an
        // image) so that these links are announced and reachable by keyboard.
        let _ = write!(
            s,
            "<a href=\"#{}\" class=\"{class}\" data-step=\"{}\">",
            esc(&node.href),
            esc(&node.href)
        );
        let stroke = if node.urgent { 3.5 } else { 1.5 };
        let _ = write!(
            s,
            "<rect class=\"diagram-box\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"4\" fill=\"#ffffff\" stroke=\"#1a1a1a\" stroke-width=\"{stroke}\"/>",
            b.x, b.y, b.w, b.h
        );
        if node.urgent {
            // A second, inner border: urgent steps are double-framed.
            let _ = write!(
                s,
                "<rect class=\"diagram-box-inner\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"2\" fill=\"none\" stroke=\"#1a1a1a\" stroke-width=\"1\"/>",
                b.x + 5.0,
                b.y + 5.0,
                b.w - 10.0,
                b.h - 10.0
            );
        }
        let _ = write!(
            s,
            "<text class=\"diagram-text\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1a1a1a\">",
            b.x + b.w / 2.0,
            b.y + PAD
        );
        for (i, line) in b.lines.iter().enumerate() {
            let marker = (node.urgent && i == 0) || (node.ending() && i + 1 == b.lines.len());
            let weight = if marker {
                " font-weight=\"bold\" class=\"diagram-marker\""
            } else {
                ""
            };
            let _ = write!(
                s,
                "<tspan x=\"{:.1}\" dy=\"{}\"{weight}>{}</tspan>",
                b.x + b.w / 2.0,
                if i == 0 { LINE_H - 4.0 } else { LINE_H },
                esc(line)
            );
        }
        s.push_str("</text></a>");
    }
    s.push_str("</g></svg>");
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::layout::tests::node;
    use super::*;

    #[test]
    fn svg_escapes_text_and_marks_urgent_steps_in_text() {
        let mut nodes = vec![node("Start <b>&\"</b>\u{1}", &[1]), node("Call 999", &[])];
        nodes[1].urgent = true;
        nodes[1].href = "call-999".into();
        let svg = svg(
            &nodes,
            &Labels {
                id_prefix: "x-",
                title: "Diagram: <x>",
                description: "Step 1 & 2",
            },
        )
        .unwrap();
        assert!(
            svg.contains("Start &lt;b&gt;&amp;&quot;&lt;/b&gt;"),
            "{svg}"
        );
        assert!(
            svg.contains("<title id=\"x-pathway-diagram-svg-title\">Diagram: &lt;x&gt;</title>")
        );
        assert!(svg.contains(URGENT_MARKER));
        assert!(svg.contains("data-step=\"call-999\""));
        assert!(svg.contains("<a href=\"#call-999\""));
        assert!(svg.contains("url(#x-pathway-arrow)"));
        assert!(!svg.contains("<b>") && !svg.contains('\u{1}'));
    }
}
