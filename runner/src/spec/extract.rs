//! The reStructuredText scanner behind [`extract`].
//!
//! This is not a docutils parser: it reads the source line by line and understands just enough
//! of reStructuredText to find section headings, object directives and the notes in their
//! bodies, and to step over literal blocks and comments.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use super::{Audit, Item, Kind, Spec, SpecError};

/// The result of [`extract_with_report`]: the inventory and what was merged to build it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extraction {
    /// The inventory.
    pub spec: Spec,
    /// Names documented more than once, in document order of the repeat.
    pub duplicates: Vec<Duplicate>,
}

/// A name that the document describes with more than one directive.
///
/// The first description is kept; the later one only fills in what the first lacks
/// (signature, availability, `versionadded`, deprecation) and adds its `versionchanged`
/// versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The qualified name.
    pub name: String,
    /// 1-based line of the description that was kept.
    pub first_line: usize,
    /// 1-based line of the description merged into it.
    pub line: usize,
}

impl fmt::Display for Duplicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: `{}` is already documented at line {}; merged into it",
            self.line, self.name, self.first_line
        )
    }
}

/// Extracts the inventory of documented objects from Sphinx reStructuredText.
///
/// The rules:
///
/// - Every `.. function::`, `.. class::`, `.. method::`, `.. attribute::`, `.. exception::`
///   and `.. data::` directive (optionally `py:`-prefixed, at any indentation) is an object.
///   `classmethod`/`staticmethod` count as methods and `property` as an attribute.
/// - A directive may name several objects, one per line (`.. data:: AF_UNIX` followed by
///   aligned `AF_INET`, `AF_INET6` lines); they share the directive's notes. A line ending
///   with `\` continues on the next one.
/// - A name containing `*` (`SO_*`, `VMADDR*`) is a [`Kind::Group`].
/// - Names are qualified with the current module (`.. module::` / `.. currentmodule::` or a
///   `:module:` option) and with the enclosing `.. class::` / `.. exception::` when the
///   directive is nested in one: `.. method:: socket.bind(address)` in module `socket` is
///   `socket.socket.bind`.
/// - `versionadded`, `versionchanged`, `deprecated`, `deprecated-removed` and `availability`
///   notes belong to the innermost object directive whose body they are in, that is: indented
///   deeper than the directive line, with no less indented line in between. How much deeper
///   does not matter (the docs have two-space bodies and notes).
/// - `.. audit-event:: NAME ARGS TARGET` is an [`Audit`] of the object named `TARGET` (a
///   qualified name such as `socket.socket.bind`, or several separated by commas), wherever
///   the directive is; without a target, of the innermost object directive whose body it is
///   in. `ARGS` is a comma-separated list of argument names, `""` for none. A target that is
///   not a documented object is an error. The same event on one object is listed once.
/// - The section is the path of headings above the directive, ` / `-separated, inline markup
///   removed. Heading levels follow the order in which underline styles first appear; the
///   page title (a first heading whose style is never used again) is left out.
/// - A name documented twice is listed once, where it first appears (see [`Duplicate`]).
///   Repeated `versionchanged` versions are listed once.
/// - Literal blocks (after `::`), code blocks and comments are skipped.
pub fn extract(rst: &str) -> Result<Spec, SpecError> {
    extract_with_report(rst).map(|e| e.spec)
}

/// [`extract`], also reporting the names that were documented more than once.
pub fn extract_with_report(rst: &str) -> Result<Extraction, SpecError> {
    let rst = rst.strip_prefix('\u{feff}').unwrap_or(rst);
    let lines: Vec<Line> = rst.lines().map(Line::new).collect();
    let mut scanner = Scanner::default();
    scanner.run(&lines)?;
    scanner.finish()
}

/// One source line, tabs expanded, trailing whitespace removed.
struct Line {
    text: String,
    indent: usize,
}

impl Line {
    fn new(raw: &str) -> Line {
        let mut text = String::with_capacity(raw.len());
        for c in raw.trim_end().chars() {
            if c == '\t' {
                let pad = 8 - text.chars().count() % 8;
                text.extend(std::iter::repeat_n(' ', pad));
            } else {
                text.push(c);
            }
        }
        let indent = text.bytes().take_while(|&b| b == b' ').count();
        Line { text, indent }
    }

    fn is_blank(&self) -> bool {
        self.text.is_empty()
    }

    fn content(&self) -> &str {
        &self.text[self.indent..]
    }

    /// A section adornment: three or more of one punctuation character, unindented.
    fn adornment(&self) -> Option<char> {
        let mut chars = self.text.chars();
        let c = chars.next()?;
        let punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
        (punctuation.contains(c) && self.text.chars().count() >= 3 && chars.all(|d| d == c))
            .then_some(c)
    }

    /// A directive option line such as `:noindex:` or `:module: socket`.
    fn option(&self) -> Option<(&str, &str)> {
        let rest = self.content().strip_prefix(':')?;
        let end = rest.find(':')?;
        let name = &rest[..end];
        let value = &rest[end + 1..];
        let well_formed = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && (value.is_empty() || value.starts_with(' '));
        well_formed.then(|| (name, value.trim()))
    }
}

/// An object directive whose body may still hold notes.
struct Open {
    indent: usize,
    /// Indices into `Scanner::raw` of the objects the directive names.
    items: Vec<usize>,
    /// For a class or exception: its name inside the module, the prefix of nested objects.
    class_path: Option<String>,
}

/// One object as its directive describes it, before duplicates are merged.
struct Raw {
    item: Item,
    line: usize,
    headings: Vec<String>,
}

#[derive(Default)]
struct Scanner {
    /// The first `.. module::`.
    module: Option<String>,
    /// The module objects are currently documented in.
    current: Option<String>,
    /// Heading styles (character, overlined) in order of first appearance = level.
    styles: Vec<(char, bool)>,
    /// How many headings used each style.
    style_uses: Vec<usize>,
    /// The text of the current heading at each level.
    headings: Vec<String>,
    open: Vec<Open>,
    raw: Vec<Raw>,
    /// Audit events in document order, each with the names of the objects it is attached to.
    audits: Vec<PendingAudit>,
}

/// An `.. audit-event::` whose targets are resolved once every object is known.
struct PendingAudit {
    line: usize,
    audit: Audit,
    /// The qualified names it names, or those of the directive it is in.
    targets: Vec<String>,
    /// Whether the directive named them (rather than being in their body).
    explicit: bool,
}

impl Scanner {
    fn run(&mut self, lines: &[Line]) -> Result<(), SpecError> {
        // Lines indented deeper than this belong to a literal block, code block or comment.
        let mut opaque: Option<usize> = None;
        let mut i = 0;
        while i < lines.len() {
            let line = &lines[i];
            if line.is_blank() {
                i += 1;
                continue;
            }
            if let Some(indent) = opaque {
                if line.indent > indent {
                    i += 1;
                    continue;
                }
                opaque = None;
            }
            if let Some(consumed) = self.heading(lines, i)? {
                i += consumed;
                continue;
            }
            while self.open.last().is_some_and(|o| o.indent >= line.indent) {
                self.open.pop();
            }
            let content = line.content();
            let Some(directive) = Directive::parse(content) else {
                // A comment, hyperlink target or substitution definition, or a paragraph that
                // introduces a literal block: what is indented under it is not markup.
                if content.starts_with("..") || content.ends_with("::") {
                    opaque = Some(line.indent);
                }
                i += 1;
                continue;
            };
            let domain_ok = matches!(directive.domain, None | Some("py"));
            let kind = match directive.name {
                _ if !domain_ok => None,
                "function" => Some(Kind::Function),
                "class" => Some(Kind::Class),
                "method" | "classmethod" | "staticmethod" => Some(Kind::Method),
                "attribute" | "property" => Some(Kind::Attribute),
                "exception" => Some(Kind::Exception),
                "data" => Some(Kind::Data),
                _ => None,
            };
            if let Some(kind) = kind {
                i = self.object(lines, i, &directive, kind)?;
                continue;
            }
            match directive.name {
                "module" if domain_ok => {
                    let name = first_word(directive.argument).map(str::to_owned);
                    if self.module.is_none() {
                        self.module.clone_from(&name);
                    }
                    self.current = name;
                }
                "currentmodule" if domain_ok => {
                    self.current = first_word(directive.argument)
                        .filter(|m| *m != "None")
                        .map(str::to_owned);
                }
                "versionadded" | "versionchanged" | "deprecated" | "deprecated-removed" => {
                    let version = first_word(directive.argument).ok_or_else(|| {
                        SpecError::MissingVersion {
                            line: i + 1,
                            directive: directive.name.to_owned(),
                        }
                    })?;
                    self.note(directive.name, version);
                }
                "audit-event" => self.audit_event(i + 1, directive.argument)?,
                "availability" => {
                    // The argument runs on until the first blank line.
                    let mut text = directive.argument.trim().to_owned();
                    let mut j = i + 1;
                    while j < lines.len() && !lines[j].is_blank() && lines[j].indent > line.indent {
                        if !text.is_empty() {
                            text.push(' ');
                        }
                        text.push_str(lines[j].content());
                        j += 1;
                    }
                    if text.is_empty() {
                        return Err(SpecError::EmptyAvailability { line: i + 1 });
                    }
                    self.note("availability", &text);
                    i = j;
                    continue;
                }
                "code-block" | "code" | "sourcecode" | "literalinclude" | "doctest"
                | "testcode" | "testoutput" | "testsetup" | "testcleanup" | "productionlist"
                | "raw" | "math" | "parsed-literal" => opaque = Some(line.indent),
                _ => {}
            }
            i += 1;
        }
        Ok(())
    }

    /// If a section heading starts at `lines[i]`, records it and returns how many lines it takes.
    fn heading(&mut self, lines: &[Line], i: usize) -> Result<Option<usize>, SpecError> {
        let line = &lines[i];
        if line.indent != 0 {
            return Ok(None);
        }
        let next = lines.get(i + 1);
        let (title, title_line, style, consumed) = match line.adornment() {
            Some(c) => {
                // Overline, title, underline.
                let (Some(title), Some(under)) = (next, lines.get(i + 2)) else {
                    return Ok(None);
                };
                if title.is_blank() || title.adornment().is_some() || under.adornment() != Some(c) {
                    return Ok(None);
                }
                (title.content().trim(), i + 2, (c, true), 3)
            }
            None => {
                let Some(c) = next.and_then(Line::adornment) else {
                    return Ok(None);
                };
                // A title starts a text block: it follows a blank line or another title.
                let starts_block =
                    i == 0 || lines[i - 1].is_blank() || lines[i - 1].adornment().is_some();
                if !starts_block || line.content().starts_with("..") {
                    return Ok(None);
                }
                (line.content(), i + 1, (c, false), 2)
            }
        };
        let level = match self.styles.iter().position(|s| *s == style) {
            Some(level) => level,
            None => {
                self.styles.push(style);
                self.style_uses.push(0);
                self.styles.len() - 1
            }
        };
        let title = plain_text(title);
        if level > self.headings.len() {
            return Err(SpecError::InconsistentHeading {
                line: title_line,
                title,
            });
        }
        self.style_uses[level] += 1;
        self.headings.truncate(level);
        self.headings.push(title);
        self.open.clear();
        Ok(Some(consumed))
    }

    /// Reads the object directive at `lines[i]`; returns the index of the first body line.
    fn object(
        &mut self,
        lines: &[Line],
        i: usize,
        directive: &Directive,
        kind: Kind,
    ) -> Result<usize, SpecError> {
        let indent = lines[i].indent;
        let in_block =
            |j: usize| j < lines.len() && !lines[j].is_blank() && lines[j].indent > indent;

        // Signature lines: the directive's argument and the lines that follow it up to the
        // first blank line or option.
        let mut signature_lines = Vec::new();
        if !directive.argument.trim().is_empty() {
            signature_lines.push((i + 1, directive.argument.trim().to_owned()));
        }
        let mut j = i + 1;
        while in_block(j) && lines[j].option().is_none() {
            signature_lines.push((j + 1, lines[j].content().to_owned()));
            j += 1;
        }
        let mut module_option = None;
        while in_block(j) {
            match lines[j].option() {
                Some(("module", value)) => module_option = Some(value.to_owned()),
                Some(_) => {}
                None => break,
            }
            j += 1;
        }

        let signatures = join_continuations(signature_lines, j)?;
        if signatures.is_empty() {
            return Err(SpecError::MissingName {
                line: i + 1,
                directive: directive.name.to_owned(),
            });
        }
        let module = module_option
            .or_else(|| self.current.clone())
            .ok_or_else(|| SpecError::NoModule {
                line: i + 1,
                directive: directive.name.to_owned(),
            })?;
        let class_prefix = self.open.iter().rev().find_map(|o| o.class_path.clone());

        let mut opened = Open {
            indent,
            items: Vec::new(),
            class_path: None,
        };
        for (line, text) in signatures {
            let (name, signature) = parse_signature(&text, line, kind)?;
            let name = name.as_str();
            let local = match &class_prefix {
                Some(prefix) => format!("{prefix}.{name}"),
                None => name.to_owned(),
            };
            if matches!(kind, Kind::Class | Kind::Exception) && opened.class_path.is_none() {
                opened.class_path = Some(local.clone());
            }
            let kind = if name.contains('*') {
                Kind::Group
            } else {
                kind
            };
            let name = format!("{module}.{local}");
            let overloaded =
                (opened.items.iter().copied()).find(|&index| self.raw[index].item.name == name);
            if let Some(index) = overloaded {
                let item = &mut self.raw[index].item;
                // Another signature of the same object: keep them all, one per line.
                match (&mut item.signature, signature) {
                    (Some(first), Some(more)) => {
                        first.push('\n');
                        first.push_str(&more);
                    }
                    (first @ None, more) => *first = more,
                    (Some(_), None) => {}
                }
                continue;
            }
            opened.items.push(self.raw.len());
            self.raw.push(Raw {
                item: Item {
                    name,
                    kind,
                    signature,
                    section: String::new(),
                    availability: None,
                    added: None,
                    changed: Vec::new(),
                    deprecated: None,
                    audit: Vec::new(),
                },
                line,
                headings: self.headings.clone(),
            });
        }
        self.open.push(opened);
        Ok(j)
    }

    /// Attaches a note to every object of the innermost open directive, if any.
    fn note(&mut self, directive: &str, value: &str) {
        let Some(open) = self.open.last() else {
            return;
        };
        for &index in &open.items {
            let item = &mut self.raw[index].item;
            match directive {
                "versionadded" => {
                    item.added.get_or_insert_with(|| value.to_owned());
                }
                "versionchanged" => {
                    if !item.changed.iter().any(|v| v == value) {
                        item.changed.push(value.to_owned());
                    }
                }
                "deprecated" | "deprecated-removed" => {
                    item.deprecated.get_or_insert_with(|| value.to_owned());
                }
                "availability" => match &mut item.availability {
                    Some(text) => {
                        text.push_str("; ");
                        text.push_str(value);
                    }
                    None => item.availability = Some(value.to_owned()),
                },
                _ => unreachable!("not a note directive: {directive}"),
            }
        }
    }

    /// Records `.. audit-event:: NAME ARGS [TARGET]` at 1-based `line`.
    fn audit_event(&mut self, line: usize, argument: &str) -> Result<(), SpecError> {
        let mut words = argument.split_whitespace();
        let event = words.next().ok_or_else(|| SpecError::MissingName {
            line,
            directive: "audit-event".to_owned(),
        })?;
        // A comma-separated list, possibly quoted (`""` is the empty list).
        let list = |text: &str| -> Vec<String> {
            text.trim_matches(|c| c == '"' || c == '\'')
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let args = words.next().map(list).unwrap_or_default();
        let named = list(&words.collect::<Vec<_>>().join(" "));
        let explicit = !named.is_empty();
        let targets = if explicit {
            named
        } else {
            let open = self
                .open
                .last()
                .map(|o| o.items.as_slice())
                .unwrap_or_default();
            open.iter()
                .map(|&i| self.raw[i].item.name.clone())
                .collect()
        };
        if targets.is_empty() {
            return Err(SpecError::AuditTarget {
                line,
                event: event.to_owned(),
                target: None,
            });
        }
        self.audits.push(PendingAudit {
            line,
            audit: Audit {
                event: event.to_owned(),
                args,
            },
            targets,
            explicit,
        });
        Ok(())
    }

    fn finish(self) -> Result<Extraction, SpecError> {
        let module = self.module.ok_or(SpecError::NoModuleDirective)?;
        // The page title is the first heading if its style is never used again.
        let skip_title = usize::from(self.style_uses.first() == Some(&1));
        let mut items: Vec<Item> = Vec::new();
        let mut first: HashMap<String, (usize, usize)> = HashMap::new();
        let mut duplicates = Vec::new();
        for raw in self.raw {
            let Raw {
                mut item,
                line,
                headings,
            } = raw;
            if let Some(&(index, first_line)) = first.get(&item.name) {
                duplicates.push(Duplicate {
                    name: item.name.clone(),
                    first_line,
                    line,
                });
                merge(&mut items[index], item);
                continue;
            }
            item.section = headings
                .get(skip_title.min(headings.len())..)
                .unwrap_or_default()
                .join(" / ");
            first.insert(item.name.clone(), (items.len(), line));
            items.push(item);
        }
        for pending in self.audits {
            for target in &pending.targets {
                let Some(&(index, _)) = first.get(target) else {
                    return Err(SpecError::AuditTarget {
                        line: pending.line,
                        event: pending.audit.event,
                        target: pending.explicit.then(|| target.clone()),
                    });
                };
                let item = &mut items[index];
                if !item.audit.iter().any(|a| a.event == pending.audit.event) {
                    item.audit.push(pending.audit.clone());
                }
            }
        }
        let spec = Spec { module, items };
        spec.validate()?;
        Ok(Extraction { spec, duplicates })
    }
}

/// A directive line: `.. [domain:]name:: argument`.
struct Directive<'a> {
    domain: Option<&'a str>,
    name: &'a str,
    argument: &'a str,
}

impl<'a> Directive<'a> {
    fn parse(content: &'a str) -> Option<Directive<'a>> {
        static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^\.\.\s+(?:([A-Za-z0-9_]+):)?([A-Za-z0-9_-]+)::(?:\s+(.*))?$")
                .expect("valid regex")
        });
        let captures = DIRECTIVE.captures(content)?;
        Some(Directive {
            domain: captures.get(1).map(|m| m.as_str()),
            name: captures.get(2).map_or("", |m| m.as_str()),
            argument: captures.get(3).map_or("", |m| m.as_str()),
        })
    }
}

fn first_word(text: &str) -> Option<&str> {
    text.split_whitespace().next()
}

/// Joins lines ending with a backslash to the next one. `end` is the index of the line after
/// the last one given, for the error when nothing follows a backslash.
fn join_continuations(
    lines: Vec<(usize, String)>,
    end: usize,
) -> Result<Vec<(usize, String)>, SpecError> {
    let mut joined = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    let mut last_line = end;
    for (line, text) in lines {
        last_line = line;
        let (start, text) = match pending.take() {
            Some((start, mut head)) => {
                if head.ends_with(char::is_whitespace) {
                    head.truncate(head.trim_end().len());
                    head.push(' ');
                }
                head.push_str(text.trim_start());
                (start, head)
            }
            None => (line, text),
        };
        match text.strip_suffix('\\') {
            Some(head) if !head.ends_with('\\') => pending = Some((start, head.to_owned())),
            _ => joined.push((start, text)),
        }
    }
    if pending.is_some() {
        return Err(SpecError::UnterminatedContinuation { line: last_line });
    }
    Ok(joined)
}

/// Splits `NAME(ARGS) -> RET` into the name and the signature `(ARGS) -> RET`.
fn parse_signature(
    text: &str,
    line: usize,
    kind: Kind,
) -> Result<(String, Option<String>), SpecError> {
    let bad = |reason: &str| SpecError::BadSignature {
        line,
        text: text.to_owned(),
        reason: reason.to_owned(),
    };
    let text = text.trim();
    // The name, with reStructuredText backslash escapes (`SO_\*`) undone.
    let mut name = String::new();
    let mut name_end = text.len();
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|&(_, next)| !next.is_whitespace()) => {
                name.extend(chars.next().map(|(_, next)| next));
            }
            _ if c.is_alphanumeric() || matches!(c, '_' | '.' | '*') => name.push(c),
            _ => {
                name_end = index;
                break;
            }
        }
    }
    let valid_name = !name.is_empty()
        && !name.starts_with(|c: char| c == '.' || c.is_ascii_digit())
        && !name.ends_with('.')
        && !name.contains("..");
    if !valid_name {
        return Err(bad("it does not start with a dotted name"));
    }
    let rest = text[name_end..].trim();
    if rest.is_empty() {
        return Ok((name, None));
    }
    if matches!(kind, Kind::Data | Kind::Attribute) && rest.starts_with([':', '=']) {
        // A type annotation or a value: not part of the inventory.
        return Ok((name, None));
    }
    if !rest.starts_with('(') {
        return Err(bad(&format!("unexpected `{rest}` after the name")));
    }
    let close = matching_paren(rest).ok_or_else(|| bad("unbalanced brackets"))?;
    let after = rest[close + 1..].trim();
    if !(after.is_empty() || after.starts_with("->") && after.len() > 2) {
        return Err(bad(&format!("unexpected `{after}` after the arguments")));
    }
    Ok((name, Some(rest.to_owned())))
}

/// The byte index of the parenthesis closing the one `text` starts with, checking that the
/// brackets inside are balanced (quoted strings are skipped).
fn matching_paren(text: &str) -> Option<usize> {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => stack.push(c),
            ')' | ']' | '}' => {
                let open = stack.pop()?;
                if (open, c) != ('(', ')') && (open, c) != ('[', ']') && (open, c) != ('{', '}') {
                    return None;
                }
                if stack.is_empty() {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// Heading text without inline markup: roles, literals, references and escapes.
fn plain_text(text: &str) -> String {
    static ROLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?::[A-Za-z0-9_.+-]+(?::[A-Za-z0-9_.+-]+)*:)?`([^`]+)`(?:__?)?")
            .expect("valid regex")
    });
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"``([^`]+)``").expect("valid regex"));
    static TARGET: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(.*?)\s*<[^<>]*>$").expect("valid regex"));
    let text = LITERAL.replace_all(text, "\u{0}$1\u{0}");
    let text = ROLE.replace_all(&text, |c: &regex::Captures<'_>| {
        let mut inner = c[1].trim();
        if let Some(target) = TARGET.captures(inner) {
            let shown = target.get(1).map_or("", |m| m.as_str());
            if !shown.is_empty() {
                inner = shown;
            }
        }
        let inner = inner.trim_start_matches('!');
        match inner.strip_prefix('~') {
            Some(path) => path.rsplit('.').next().unwrap_or(path).to_owned(),
            None => inner.to_owned(),
        }
    });
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\u{0}' => {}
            '\\' => plain.extend(chars.next()),
            _ => plain.push(c),
        }
    }
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Folds a later description of the same name into the first one.
fn merge(first: &mut Item, later: Item) {
    if first.signature.is_none() {
        first.signature = later.signature;
    }
    if first.availability.is_none() {
        first.availability = later.availability;
    }
    if first.added.is_none() {
        first.added = later.added;
    }
    if first.deprecated.is_none() {
        first.deprecated = later.deprecated;
    }
    let before = first.changed.len();
    for version in later.changed {
        if !first.changed.contains(&version) {
            first.changed.push(version);
        }
    }
    if first.changed.len() != before {
        first
            .changed
            .sort_by(|a, b| version_key(a).cmp(&version_key(b)));
    }
}

/// `3.6.5` → `[(3, ""), (6, ""), (5, "")]`; a part that is not a number sorts by its text.
fn version_key(version: &str) -> Vec<(u64, &str)> {
    version
        .split('.')
        .map(|part| match part.parse() {
            Ok(n) => (n, ""),
            Err(_) => (u64::MAX, part),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text(":mod:`!socket` --- Low-level networking interface"),
            "socket --- Low-level networking interface"
        );
        assert_eq!(
            plain_text("Timeouts and the ``connect`` method"),
            "Timeouts and the connect method"
        );
        assert_eq!(plain_text(":meth:`~socket.socket.bind`"), "bind");
        assert_eq!(plain_text("`objects <socket-objects>`_"), "objects");
    }

    #[test]
    fn continuations_join_with_one_space_where_the_source_had_one() {
        let joined =
            join_continuations(vec![(1, "f(a, \\".into()), (2, "        b)".into())], 3).unwrap();
        assert_eq!(joined, vec![(1, "f(a, b)".to_owned())]);
        let joined = join_continuations(vec![(1, "f(ab\\".into()), (2, "  c)".into())], 3).unwrap();
        assert_eq!(joined, vec![(1, "f(abc)".to_owned())]);
    }

    #[test]
    fn signatures() {
        let (name, sig) =
            parse_signature("socketpair([family[, type[, proto]]])", 1, Kind::Function).unwrap();
        assert_eq!(
            (name.as_str(), sig.as_deref()),
            ("socketpair", Some("([family[, type[, proto]]])"))
        );
        let (name, sig) = parse_signature("f(x='(') -> int", 1, Kind::Function).unwrap();
        assert_eq!(
            (name.as_str(), sig.as_deref()),
            ("f", Some("(x='(') -> int"))
        );
        let (name, sig) = parse_signature(r"SO\_\*", 1, Kind::Data).unwrap();
        assert_eq!((name.as_str(), sig), ("SO_*", None));
        assert!(parse_signature("f(x]", 1, Kind::Function).is_err());
        assert!(parse_signature("f(x) y", 1, Kind::Function).is_err());
        assert!(parse_signature("Body text", 1, Kind::Function).is_err());
    }
}
