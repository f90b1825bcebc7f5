//! The report as one self-contained HTML page (inline CSS and JS, nothing fetched): the
//! matrix of documented item × run with a sticky header row and first column, per-section
//! tallies, filters, and for every cell the cases behind it — a failing case with its
//! summary, message, CPython details and each step's expected and observed values.
//!
//! Opened with `#selftest` the page checks itself (rows, filters, a failing cell opening, no
//! console errors) and writes its verdict into `<pre id="selftest">`, for a headless browser.

use std::fmt::Write as _;
use std::path::Path;

use super::{Cell, Matrix, Row, Run, RunCase, steps};
use crate::case::Level;
use crate::exec::Verdict;

/// The first script of the page: records console errors, uncaught errors and blocked loads
/// from the start, for the self-test.
const CAPTURE_JS: &str = include_str!("capture.js");
/// Filters, one open cell at a time, and the self-test.
const PAGE_JS: &str = include_str!("page.js");
const PAGE_CSS: &str = include_str!("page.css");

/// Nothing may be fetched: inline styles and scripts only.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   img-src data:";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The file name of a results file, without the folders it was named with.
fn file_name(source: &str) -> String {
    Path::new(source)
        .file_name()
        .map_or_else(|| source.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// The class of an outcome's badge.
fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Differs => "differs",
        Verdict::Fail | Verdict::Timeout | Verdict::Crash | Verdict::Error => "fail",
        Verdict::Unsupported | Verdict::Skip => "none",
    }
}

fn percent(n: usize, of: usize) -> String {
    if of == 0 {
        "—".into()
    } else {
        format!("{n}/{of} ({:.1}%)", 100.0 * n as f64 / of as f64)
    }
}

/// The column header of a run: implementation, version, OS, and what tells it apart.
fn run_header(i: usize, run: &Run) -> String {
    let mut title = format!(
        "{} — judged at the {} level; from {}",
        run.title(),
        run.level.as_str(),
        file_name(&run.source)
    );
    if let Some(tag) = &run.tag {
        let _ = write!(
            title,
            " (other runs of the same implementation, version and platform are in the \
             report too: this one is “{tag}”)"
        );
    }
    let tag = run
        .tag
        .as_deref()
        .map(|t| format!("<span class=\"tag\">{}</span>", esc(t)))
        .unwrap_or_default();
    format!(
        "<th class=\"run\" scope=\"col\" data-run=\"{i}\" title=\"{}\"><span class=\"impl\">{}</span>\
         <span class=\"ver\">{}</span><span class=\"os\">{}</span>{tag}</th>",
        esc(&title),
        esc(&run.implementation()),
        esc(&run.version()),
        esc(&run.os()),
    )
}

/// The two levels of a cell, one above the other: behaviour, then CPython details.
fn levels(cell: &Cell) -> String {
    let c = if cell.count(Verdict::Differs) > 0 || cell.held() > 0 {
        format!(
            "<span class=\"c {}\" title=\"CPython details: {} of the {} whose behaviour held \
             match CPython's\">{}</span>",
            cell.detail_class(),
            cell.count(Verdict::Pass),
            cell.held(),
            esc(&cell.detail_text())
        )
    } else {
        String::new()
    };
    format!(
        "<span class=\"b {}\" title=\"behaviour: held in {} of the {} cases that ran ({})\">{}</span>{c}",
        cell.behaviour_class(),
        cell.held(),
        cell.ran(),
        esc(&cell.outcomes()),
        esc(&cell.behaviour_text()),
    )
}

/// A non-passing case in full: id, outcome, documented item, summary, message, details, and
/// each step's expected and observed values.
fn case_detail(m: &Matrix, run: &Run, c: &RunCase, out: &mut String) {
    let case = m.case(&c.id);
    let _ = write!(
        out,
        "<div class=\"case\"><div class=\"case-head\"><b class=\"o {}\">{}</b> <code>{}</code> \
         on <code>{}</code>",
        verdict_class(c.outcome),
        c.outcome.as_str(),
        esc(&c.id),
        esc(&c.doc)
    );
    if let Some(case) = case {
        let _ = write!(
            out,
            " <span class=\"file\">{}</span>",
            esc(&case.file.display().to_string().replace('\\', "/"))
        );
    }
    out.push_str("</div>");
    match case {
        Some(case) => {
            let _ = write!(out, "<p class=\"summary\">{}</p>", esc(&case.summary));
        }
        None => out.push_str(
            "<p class=\"summary missing\">(not among the loaded cases: no summary or \
             expectations)</p>",
        ),
    }
    if let Some(msg) = &c.message {
        let _ = write!(
            out,
            "<div class=\"lbl\">why</div><pre class=\"msg\">{}</pre>",
            esc(msg)
        );
    }
    if !c.details.is_empty() {
        out.push_str("<div class=\"lbl\">CPython details that differ</div><ul class=\"det\">");
        for d in &c.details {
            let _ = write!(out, "<li><pre>{}</pre></li>", esc(d));
        }
        out.push_str("</ul>");
    }
    let views = steps(run, case, c);
    if !views.is_empty() {
        out.push_str(
            "<table class=\"steps\"><tr><th>#</th><th>step</th><th>expected</th>\
             <th>observed</th></tr>",
        );
        for (i, v) in views.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td><pre>{}</pre></td><td><pre>{}</pre></td></tr>",
                i + 1,
                esc(&v.action),
                esc(v.expected.as_deref().unwrap_or("(case not loaded)")),
                esc(v.observed.as_deref().unwrap_or("(did not run)")),
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</div>");
}

/// What opens from a cell: every case behind it, the ones that did not simply pass in full.
fn cell_popup(m: &Matrix, run: &Run, row: &Row, cell: &Cell, out: &mut String) {
    let _ = write!(
        out,
        "<div class=\"pop\"><div class=\"pop-head\"><code>{}</code> on {} — {}</div>",
        esc(&row.item),
        esc(&run.title()),
        esc(&cell.outcomes())
    );
    let cases: Vec<&RunCase> = cell.cases.iter().map(|&k| &run.cases[k]).collect();
    for c in cases.iter().filter(|c| {
        matches!(
            c.outcome,
            Verdict::Fail | Verdict::Differs | Verdict::Timeout | Verdict::Crash | Verdict::Error
        )
    }) {
        case_detail(m, run, c, out);
    }
    let rest: Vec<&&RunCase> = cases
        .iter()
        .filter(|c| {
            matches!(
                c.outcome,
                Verdict::Pass | Verdict::Unsupported | Verdict::Skip
            )
        })
        .collect();
    if !rest.is_empty() {
        out.push_str("<ul class=\"rest\">");
        for c in rest {
            let why = match c.outcome {
                Verdict::Pass => String::new(),
                _ => format!(
                    " — {}",
                    esc(c
                        .message
                        .as_deref()
                        .unwrap_or("")
                        .lines()
                        .next()
                        .unwrap_or(""))
                ),
            };
            let _ = write!(
                out,
                "<li><b class=\"o {}\">{}</b> <code>{}</code>{why}</li>",
                verdict_class(c.outcome),
                c.outcome.as_str(),
                esc(&c.id)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
}

fn item_row(m: &Matrix, row: &Row, out: &mut String) {
    let no_case = row.has_no_case();
    let _ = write!(
        out,
        "<tr class=\"item{}\" data-item=\"{}\"{}>",
        if no_case { " nocase" } else { "" },
        esc(&row.item),
        if row.kind.is_some() { " data-spec" } else { "" }
    );
    let kind = row
        .kind
        .map(|k| format!(" <span class=\"kind\">{k}</span>"))
        .unwrap_or_default();
    let note = if no_case {
        let by = if row.exercised_by.is_empty() {
            String::new()
        } else {
            let ids = row.exercised_by.join(", ");
            format!(
                " <span class=\"by\" title=\"{}\">exercised by {} case(s) of other items</span>",
                esc(&ids),
                row.exercised_by.len()
            )
        };
        format!("<span class=\"nocase-badge\">no case</span>{by}")
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<th scope=\"row\" class=\"name\"><code>{}</code>{kind}{note}</th>",
        esc(&row.item)
    );
    for (i, (run, cell)) in m.runs.iter().zip(&row.cells).enumerate() {
        let class = if no_case { "nocase" } else { cell.class() };
        let _ = write!(
            out,
            "<td class=\"cell {class}\" data-run=\"{i}\" data-o=\"{class}\">"
        );
        if cell.total() > 0 {
            out.push_str("<details><summary>");
            out.push_str(&levels(cell));
            out.push_str("</summary>");
            cell_popup(m, run, row, cell, out);
            out.push_str("</details>");
        }
        out.push_str("</td>");
    }
    out.push_str("</tr>\n");
}

fn summary_table(m: &Matrix, out: &mut String) {
    out.push_str(
        "<table class=\"summary\"><thead><tr><th>implementation</th><th>version</th><th>OS</th>\
         <th>tells apart</th><th>judged at</th><th>behaviour held</th>\
         <th>CPython details match</th>",
    );
    for v in Verdict::ALL {
        let _ = write!(out, "<th>{}</th>", v.as_str().to_lowercase());
    }
    out.push_str("<th>total</th></tr></thead><tbody>\n");
    for run in m.runs {
        let s = run.summary();
        let (held, ran) = s.behaviour_rate();
        let _ = write!(
            out,
            "<tr title=\"{}\"><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            esc(&run.title()),
            esc(&run.implementation()),
            esc(&run.version()),
            esc(&run.os()),
            esc(run.tag.as_deref().unwrap_or("")),
            run.level.as_str(),
            percent(held, ran),
            percent(s.pass, held),
        );
        for v in Verdict::ALL {
            let _ = write!(out, "<td class=\"num\">{}</td>", s.count(v));
        }
        let _ = writeln!(out, "<td class=\"num\">{}</td></tr>", s.total);
    }
    out.push_str("</tbody></table>\n");
}

fn controls(m: &Matrix, out: &mut String) {
    out.push_str("<div id=\"controls\"><fieldset id=\"f-runs\"><legend>implementations</legend>");
    for (i, run) in m.runs.iter().enumerate() {
        let tag = run
            .tag
            .as_deref()
            .map(|t| format!(" [{}]", esc(t)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<label title=\"{}\"><input type=\"checkbox\" data-run=\"{i}\" checked> {} {}{tag}</label>",
            esc(&run.title()),
            esc(&run.implementation()),
            esc(&run.version()),
        );
    }
    out.push_str(
        "</fieldset>\
         <label>rows with <select id=\"f-outcome\">\
         <option value=\"\">any outcome</option>\
         <option value=\"fail\">a cell where behaviour did not hold</option>\
         <option value=\"differs\">a cell where CPython details differ</option>\
         <option value=\"pass\">a cell where everything passed</option>\
         <option value=\"none\">a cell where nothing could run</option>\
         <option value=\"nocase\">no case at all</option>\
         </select></label>\
         <label><input type=\"checkbox\" id=\"f-disagree\"> only where implementations disagree</label>\
         <label>item <input type=\"search\" id=\"f-item\" placeholder=\"bind, SO_\"></label>\
         <label>show <select id=\"f-level\"><option value=\"both\">both levels</option>\
         <option value=\"b\">behaviour only</option><option value=\"c\">CPython details only</option>\
         </select></label>\
         <button type=\"button\" id=\"f-reset\">reset</button>\
         <span id=\"f-count\"></span></div>\n",
    );
}

/// The report as one self-contained HTML page.
pub fn html(m: &Matrix) -> String {
    let mut out = String::new();
    let no_case = m
        .rows()
        .filter(|r| r.kind.is_some() && r.has_no_case())
        .count();
    let mut files: Vec<String> = Vec::new();
    for r in m.runs {
        let f = file_name(&r.source);
        if !files.contains(&f) {
            files.push(f);
        }
    }
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>sockconf compatibility report</title>\n<script>{CAPTURE_JS}</script>\n\
         <style>{PAGE_CSS}</style></head><body>\n\
         <h1>sockconf compatibility report</h1>\n\
         <p class=\"meta\">{} run(s) from {} · {} documented items of <code>socket</code>, {} \
         with no case of their own. The outcomes and counts are those of the results files.</p>\n",
        m.runs.len(),
        esc(&files.join(", ")),
        m.spec_items,
        no_case
    );
    out.push_str(
        "<details class=\"legend\" open><summary>How to read it</summary><p>A row per \
         documented item of the spec, grouped by the section of the docs it is in; a column \
         per run. Each cell has two levels, apart: <span class=\"b pass\">held/ran</span> \
         the <b>behaviour</b> level — cases of the item whose documented behaviour held, of \
         those that ran there — and under it <span class=\"c differs\">match/held</span> the \
         <b>CPython-detail</b> level — of those whose behaviour held, the ones that also match \
         CPython in details the docs do not state (message wording, <code>repr()</code> \
         layouts, undocumented classes; a case that differs only there is <code>DIFFERS</code>). \
         <span class=\"b none\">—</span>: none could run (unsupported here, or out of the \
         case's version or platform range). Colours: <span class=\"sw pass\">passes</span> \
         <span class=\"sw differs\">behaviour holds, CPython details differ</span> \
         <span class=\"sw fail\">behaviour did not hold</span> <span class=\"sw none\">nothing \
         ran</span> <span class=\"sw nocase\">no case is about the item</span>. Click a cell for \
         its cases: each one that did not pass with its summary, why, and every step's \
         expected and observed values.</p></details>\n<h2>Summary</h2>\n",
    );
    summary_table(m, &mut out);
    out.push_str("<h2>Documented items</h2>\n");
    controls(m, &mut out);
    let _ = write!(
        out,
        "<div class=\"wrap\"><table id=\"matrix\" data-spec-items=\"{}\" data-runs=\"{}\">\
         <thead><tr><th class=\"corner\" scope=\"col\">documented item</th>",
        m.spec_items,
        m.runs.len()
    );
    for (i, run) in m.runs.iter().enumerate() {
        out.push_str(&run_header(i, run));
    }
    out.push_str("</tr></thead>\n");
    for section in &m.sections {
        let _ = write!(
            out,
            "<tbody class=\"section\"><tr class=\"sec\"><th scope=\"rowgroup\" class=\"name\">{} \
             <small>{} item(s), {} with no case</small></th>",
            esc(&section.name),
            section.rows.len(),
            section.without_case()
        );
        for i in 0..m.runs.len() {
            let total = section.total(i);
            let _ = write!(
                out,
                "<td class=\"tally {}\" data-run=\"{i}\">{}</td>",
                total.class(),
                if total.total() > 0 {
                    levels(&total)
                } else {
                    String::new()
                }
            );
        }
        out.push_str("</tr>\n");
        for row in &section.rows {
            item_row(m, row, &mut out);
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table></div>\n");
    // The lists of cases under the matrix, as the Markdown report has them.
    for (title, listed) in super::case_lists(m.runs) {
        let _ = writeln!(out, "<h2>{title}</h2>");
        for (run, cases) in listed {
            let _ = writeln!(
                out,
                "<details class=\"list\"><summary>{} — {} case(s)</summary><ul>",
                esc(&run.title()),
                cases.len()
            );
            for c in cases {
                let _ = writeln!(
                    out,
                    "<li><b class=\"o {}\">{}</b> <code>{}</code> (<code>{}</code>): {}</li>",
                    verdict_class(c.outcome),
                    c.outcome.as_str(),
                    esc(&c.id),
                    esc(&c.doc),
                    esc(super::why(c))
                );
            }
            out.push_str("</ul></details>\n");
        }
    }
    let levels_note = if m.runs.iter().any(|r| r.level == Level::Cpython) {
        "<p class=\"meta\">Runs judged at the cpython level count DIFFERS as a failure in \
         JUnit; the matrix shows both levels for every run.</p>\n"
    } else {
        ""
    };
    out.push_str(levels_note);
    let _ = write!(out, "<script>{PAGE_JS}</script>\n</body></html>\n");
    out
}
