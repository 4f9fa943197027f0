//! A report document: Markdown prose and tables, in order. Markdown renders the tables with
//! [`Table::to_markdown`]; HTML converts the prose with [`html::body`] and renders each table from the
//! `Table` value itself ([`Table::to_html`]), so no table is ever parsed back out of Markdown.

use crate::{html, Table};

/// One piece of a document.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    /// Markdown prose (headings, paragraphs, lists, quotes, figures); never a table.
    Prose(String),
    /// A table, rendered by each format from the value.
    Table(Table),
    /// A table another module rendered already, in both formats (Markdown, HTML).
    Rendered { markdown: String, html: String },
}

/// Prose and tables in order, rendered to Markdown or to an HTML body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    blocks: Vec<Block>,
}

impl Doc {
    /// An empty document.
    pub fn new() -> Doc {
        Doc::default()
    }

    /// A document of one piece of prose.
    pub fn of(prose: impl Into<String>) -> Doc {
        Doc::new().prose(prose)
    }

    /// Add Markdown prose (no tables in it).
    pub fn prose(mut self, md: impl Into<String>) -> Doc {
        let md = md.into();
        if !md.is_empty() {
            self.blocks.push(Block::Prose(md));
        }
        self
    }

    /// Add a table.
    pub fn table(mut self, table: Table) -> Doc {
        self.blocks.push(Block::Table(table));
        self
    }

    /// Add a table rendered elsewhere, as Markdown and as HTML.
    pub fn rendered(mut self, markdown: String, html: String) -> Doc {
        self.blocks.push(Block::Rendered { markdown, html });
        self
    }

    /// Add every piece of `other`, in order.
    pub fn append(mut self, other: Doc) -> Doc {
        self.blocks.extend(other.blocks);
        self
    }

    /// The document as Markdown.
    pub fn to_markdown(&self) -> String {
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Prose(md) => md.clone(),
                Block::Table(t) => t.to_markdown(),
                Block::Rendered { markdown, .. } => markdown.clone(),
            })
            .collect()
    }

    /// The document as the body of an HTML page, with `svgs` (file name, SVG text) inlined for its figures.
    pub fn to_html(&self, svgs: &[(String, String)]) -> String {
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Prose(md) => html::body(md, svgs),
                Block::Table(t) => t.to_html(),
                Block::Rendered { html, .. } => html.clone(),
            })
            .collect()
    }
}

impl std::ops::Add<Doc> for Doc {
    type Output = Doc;

    fn add(self, other: Doc) -> Doc {
        self.append(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_render_from_the_value_in_each_format() {
        let t = Table::new(&["a", "b"]).row(["x|y", "2"]).label("tab:t");
        let doc = Doc::of("# T\n\n").table(t.clone()).prose("\nend\n");
        assert_eq!(
            doc.to_markdown(),
            format!("# T\n\n{}\nend\n", t.to_markdown())
        );
        assert_eq!(
            doc.to_html(&[]),
            format!("<h1 id=\"t\">T</h1>\n{}<p>end</p>\n", t.to_html())
        );
        assert!(doc.to_html(&[]).contains("<td>x|y</td>"));
    }
}
