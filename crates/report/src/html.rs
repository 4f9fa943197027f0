//! A self-contained HTML page: the report's prose converted from the Markdown subset it uses (headings,
//! paragraphs, block quotes, lists, rules, emphasis, code), with every `![..](x.svg)` image replaced by
//! the SVG itself, so the page needs no other file and makes no network fetch. Tables are not prose: they
//! come from their `Table` values (see [`crate::doc::Doc`]).

/// Readable, print-friendly CSS (system fonts only).
const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;\
line-height:1.5;color:#111;max-width:60rem;margin:2rem auto;padding:0 1.5rem}\
h1{font-size:1.7rem;margin-top:0}h2{font-size:1.35rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.2rem}\
h3{font-size:1.1rem;margin-top:1.6rem}\
table{border-collapse:collapse;margin:.8rem 0 1.2rem;font-size:.9rem;font-variant-numeric:tabular-nums}\
th,td{padding:.25rem .6rem;text-align:left;vertical-align:top}td.num{text-align:right}thead th{border-top:2px solid #111;border-bottom:1px solid #111}\
tbody tr:last-child td{border-bottom:2px solid #111}tbody tr:nth-child(even){background:#f5f5f5}\
blockquote{margin:1rem 0;padding:.6rem 1rem;background:#fff4e0;border-left:4px solid #e69f00}\
code{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:.85em;background:#f2f2f2;padding:0 .2em}\
figure{margin:1.5rem 0;page-break-inside:avoid;break-inside:avoid}\
figure svg{display:block;width:100%;max-width:34rem;height:auto}\
figure.wide svg{max-width:56rem}figcaption{font-size:.9rem;max-width:46rem;margin-top:.4rem}\
hr{border:0;border-top:1px solid #ccc;margin:2rem 0 1rem}\
@media print{body{max-width:none;margin:0;font-size:10pt}h2{page-break-after:avoid}table,blockquote{page-break-inside:avoid}\
tbody tr:nth-child(even){background:none}}";

/// A full HTML page with `title` around the HTML `body` (e.g. [`crate::doc::Doc::to_html`]).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <style>{CSS}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape(title),
        body
    )
}

/// The body HTML of Markdown prose (a line starting with `|` is text here: tables come from `Table`).
pub fn body(md: &str, svgs: &[(String, String)]) -> String {
    let lines: Vec<&str> = md.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.trim().is_empty() {
            i += 1;
        } else if let Some((level, text)) = heading(l) {
            out.push_str(&format!(
                "<h{level} id=\"{}\">{}</h{level}>\n",
                slug(text),
                inline(text)
            ));
            i += 1;
        } else if l.trim() == "---" {
            out.push_str("<hr>\n");
            i += 1;
        } else if l.starts_with('>') {
            let n = take_while(&lines, i, |x| x.starts_with('>'));
            let inner: Vec<&str> = lines[i..i + n]
                .iter()
                .map(|x| x.trim_start_matches('>').trim_start())
                .collect();
            out.push_str(&format!(
                "<blockquote>\n{}</blockquote>\n",
                body(&inner.join("\n"), svgs)
            ));
            i += n;
        } else if l.starts_with("- ") {
            let n = take_while(&lines, i, |x| x.starts_with("- "));
            out.push_str("<ul>\n");
            for item in &lines[i..i + n] {
                out.push_str(&format!("<li>{}</li>\n", inline(&item[2..])));
            }
            out.push_str("</ul>\n");
            i += n;
        } else if let Some((alt, src)) = image(l) {
            // The caption is the next paragraph when it starts with the figure's title in italics.
            let caption_at = (i + 1..lines.len()).find(|&k| !lines[k].trim().is_empty());
            let caption = caption_at
                .filter(|&k| lines[k].starts_with(&format!("*{alt}.*")))
                .map(|k| lines[k]);
            out.push_str(&figure(alt, src, caption, svgs));
            i = caption.and(caption_at).map_or(i + 1, |k| k + 1);
        } else {
            let n = take_while(&lines, i, |x| {
                !x.trim().is_empty() && !x.starts_with(['>', '#']) && !x.starts_with("- ")
            });
            let n = n.max(1);
            out.push_str(&format!("<p>{}</p>\n", inline(&lines[i..i + n].join(" "))));
            i += n;
        }
    }
    out
}

fn take_while(lines: &[&str], from: usize, keep: impl Fn(&str) -> bool) -> usize {
    lines[from..].iter().take_while(|x| keep(x)).count()
}

fn heading(l: &str) -> Option<(usize, &str)> {
    let level = l.chars().take_while(|&c| c == '#').count();
    (1..=6)
        .contains(&level)
        .then(|| l[level..].strip_prefix(' '))
        .flatten()
        .map(|t| (level, t))
}

fn image(l: &str) -> Option<(&str, &str)> {
    let rest = l.strip_prefix("![")?;
    let (alt, rest) = rest.split_once("](")?;
    let src = rest.strip_suffix(')')?;
    Some((alt, src))
}

fn figure(alt: &str, src: &str, caption: Option<&str>, svgs: &[(String, String)]) -> String {
    let content = svgs
        .iter()
        .find(|(name, _)| name == src)
        .map(|(_, svg)| strip_xml_declaration(svg).to_string())
        .unwrap_or_else(|| format!("<p>[{} missing: {}]</p>", escape(alt), escape(src)));
    let wide = if src.starts_with("figure4") {
        " class=\"wide\""
    } else {
        ""
    };
    let cap = caption.map_or(String::new(), |c| {
        format!("<figcaption>{}</figcaption>\n", inline(c))
    });
    let id = slug(src.trim_end_matches(".svg"));
    format!(
        "<figure{wide} id=\"{id}\" aria-label=\"{}\">\n{content}\n{cap}</figure>\n",
        escape(alt)
    )
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg,
    }
}

/// An anchor name: lowercase letters and digits, other runs as one '-'.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Escape text for HTML.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inline Markdown: `code`, **strong**, *emphasis*; everything else escaped.
pub(crate) fn inline(text: &str) -> String {
    let mut out = String::new();
    for (k, part) in text.split('`').enumerate() {
        if k % 2 == 1 {
            out.push_str(&format!("<code>{}</code>", escape(part)));
        } else {
            out.push_str(&emphasis(&escape(part)));
        }
    }
    out
}

fn emphasis(s: &str) -> String {
    let strong = pairs(s, "**", "strong");
    pairs(&strong, "*", "em")
}

fn pairs(s: &str, marker: &str, tag: &str) -> String {
    let parts: Vec<&str> = s.split(marker).collect();
    if parts.len() < 3 {
        return s.to_string();
    }
    let mut out = String::new();
    let closed = parts.len() % 2 == 1;
    for (k, p) in parts.iter().enumerate() {
        if k > 0 {
            let last_unpaired = !closed && k == parts.len() - 1;
            if last_unpaired {
                out.push_str(marker);
            } else if k % 2 == 1 {
                out.push_str(&format!("<{tag}>"));
            } else {
                out.push_str(&format!("</{tag}>"));
            }
        }
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_subset_converts() {
        let md = "# T\n\n> **SYNTHETIC DATA.** x\n\n`x_1` 2 < 3\n\n![Figure 1](f.svg)\n\n*Figure 1.* Flow.\n\n- one\n- two\n\n---\n\nend *it*\n";
        let html = body(
            md,
            &[("f.svg".into(), "<?xml?><svg width=\"1\"></svg>".into())],
        );
        assert!(html.contains("<h1 id=\"t\">T</h1>"));
        assert!(
            html.contains("<blockquote>\n<p><strong>SYNTHETIC DATA.</strong> x</p>\n</blockquote>")
        );
        assert!(html.contains("<p><code>x_1</code> 2 &lt; 3</p>"));
        assert!(html.contains(
            "<svg width=\"1\"></svg>\n<figcaption><em>Figure 1.</em> Flow.</figcaption>"
        ));
        assert!(!html.contains("<?xml"));
        assert!(
            html.contains("<li>two</li>")
                && html.contains("<hr>")
                && html.contains("end <em>it</em>")
        );
    }
}
