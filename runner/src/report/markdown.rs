//! The report as Markdown: the summary, a table per section of the docs (the items no case is
//! about listed under it), and the cases that did not pass.

use std::fmt::Write as _;

use super::{LEGEND, Matrix, Run, SUMMARY_HEADER, case_lists, summary_rows, why};

/// The report as Markdown.
pub fn markdown(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# sockconf compatibility report\n");
    let _ = writeln!(out, "{LEGEND}\n");
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(out, "| {} |", SUMMARY_HEADER.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(SUMMARY_HEADER.len() - 1));
    for (title, cells) in summary_rows(m.runs) {
        let _ = writeln!(out, "| {title} | {} |", cells.join(" | "));
    }
    let header: Vec<String> = m.runs.iter().map(Run::title).collect();
    for section in &m.sections {
        let _ = writeln!(out, "\n## {}\n", section.name);
        let (rows, without): (Vec<_>, Vec<_>) = section.rows.iter().partition(|r| !r.has_no_case());
        if !rows.is_empty() {
            let _ = writeln!(out, "| documented item | {} |", header.join(" | "));
            let _ = writeln!(out, "|---|{}", "---:|".repeat(header.len()));
            for row in rows {
                let texts: Vec<String> = row.cells.iter().map(super::Cell::text).collect();
                let _ = writeln!(out, "| `{}` | {} |", row.item, texts.join(" | "));
            }
            let totals: Vec<String> = (0..m.runs.len()).map(|i| section.total(i).text()).collect();
            let _ = writeln!(out, "| **all** | {} |", totals.join(" | "));
        }
        if !without.is_empty() {
            let names: Vec<String> = without.iter().map(|r| format!("`{}`", r.item)).collect();
            let _ = writeln!(
                out,
                "{}No case is about {} of its {} items: {}.",
                if section.rows.len() > without.len() {
                    "\n"
                } else {
                    ""
                },
                without.len(),
                section.rows.len(),
                names.join(", ")
            );
        }
    }
    for (title, listed) in case_lists(m.runs) {
        let _ = writeln!(out, "\n## {title}\n");
        for (run, cases) in listed {
            let _ = writeln!(out, "### {}\n", run.title());
            for c in cases {
                let _ = writeln!(
                    out,
                    "- `{}` ({}, `{}`): {}",
                    c.id,
                    c.outcome.as_str(),
                    c.doc,
                    why(c)
                );
            }
            out.push('\n');
        }
    }
    out
}
