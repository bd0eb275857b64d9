//! Matching XML documents: a walk over expected and actual element trees that compares
//! names (by namespace URI and local name), attributes, same-named child groups and text,
//! applying the best-fitting body rule at every node.
//!
//! Locations follow Pact's XML convention: the root element is the first segment
//! (`$.animals`), a child element is its name followed by its index among same-named siblings
//! (`$.animals.alligator[1]`), attributes are `@name` and text content is `#text`. Rule paths
//! are also accepted without indices (`$.animals.alligator['@name']`) and with the index
//! before the name (`$.animals[*].alligator`), as both forms occur in published contracts.

use roxmltree::{Attribute, Document, Node, ParsingOptions};
use serde_json::Value;

use super::mismatch::{Mismatch, MismatchKind};
use super::value::{check_text_rules, show};
use crate::contract::path::{location_string, Segment};
use crate::contract::rules::{ArrayVariant, MatchingRule, RuleCategory, RuleList};

/// Compares two XML documents under a category of body rules.
///
/// `label` names the document in locations (`body` → `$.body.animals.alligator[0]`).
/// `allow_unexpected` is true for responses and messages (extra attributes and child elements
/// are fine) and false for requests. Documents that are not well-formed XML yield a mismatch.
///
/// ```
/// use shakedown::contract::{match_xml, RuleCategory};
/// let m = match_xml("<a x=\"1\"/>", "<a x=\"2\"/>", &RuleCategory::default(), "body", true);
/// assert_eq!(m.len(), 1);
/// assert!(m[0].location.starts_with("$.body.a"));
/// ```
pub fn match_xml(
    expected: &str,
    actual: &str,
    rules: &RuleCategory,
    label: &str,
    allow_unexpected: bool,
) -> Vec<Mismatch> {
    let mut walker = Walker {
        rules,
        allow_unexpected,
        label,
        out: Vec::new(),
    };
    let (exp_doc, act_doc) = (parse(expected), parse(actual));
    match (&exp_doc, &act_doc) {
        (Ok(e), Ok(a)) => {
            let (e, a) = (e.root_element(), a.root_element());
            walker.compare_element(&mut vec![Step::Element(written_name(e), None)], e, a);
        }
        _ => {
            walker.parse_failure("expected", expected, exp_doc.err());
            walker.parse_failure("actual", actual, act_doc.err());
        }
    }
    walker.out
}

fn parse(text: &str) -> Result<Document<'_>, roxmltree::Error> {
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text.trim_start_matches('\u{feff}').trim_start(), options)
}

/// One step from the document down to a node.
#[derive(Debug, Clone)]
enum Step {
    /// An element: its name and, below the root, its index among same-named siblings.
    Element(String, Option<usize>),
    /// A group of same-named children, an attribute (`@name`) or the text (`#text`).
    Key(String),
}

/// The ways a path of steps is spelled as a location for rule lookup.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// `$.a.b[1].c[0]`: the reported form.
    Indexed,
    /// `$.a.b.c`: no indices.
    Plain,
    /// `$.a[1].b[0].c`: each index before its element's name.
    IndexFirst,
}

/// Deeper documents are reported rather than walked (the walk is recursive).
const MAX_DEPTH: usize = 256;

const ALL_FORMS: [Form; 3] = [Form::Indexed, Form::Plain, Form::IndexFirst];
/// Forms in which an element's path differs from its group's path.
const ELEMENT_FORMS: [Form; 2] = [Form::Indexed, Form::IndexFirst];

fn segments(steps: &[Step], form: Form) -> Vec<Segment> {
    let mut out = Vec::with_capacity(steps.len() * 2);
    for step in steps {
        match (step, form) {
            (Step::Element(name, Some(i)), Form::Indexed) => {
                out.extend([Segment::Key(name.clone()), Segment::Index(*i)])
            }
            (Step::Element(name, Some(i)), Form::IndexFirst) => {
                out.extend([Segment::Index(*i), Segment::Key(name.clone())])
            }
            (Step::Element(name, _), _) | (Step::Key(name), _) => {
                out.push(Segment::Key(name.clone()))
            }
        }
    }
    out
}

/// The rules that apply at a node, and whether they were written for exactly that node.
struct Found {
    rules: RuleList,
    exact: bool,
}

impl Found {
    /// Length bounds of an exact `type` rule (cascaded rules carry none).
    fn bounds(&self) -> Vec<(Option<usize>, Option<usize>, &MatchingRule)> {
        self.rules
            .rules
            .iter()
            .filter_map(|r| match r {
                MatchingRule::Type { min, max }
                    if self.exact && (min.is_some() || max.is_some()) =>
                {
                    Some((*min, *max, r))
                }
                _ => None,
            })
            .collect()
    }

    /// The first `type` rule, as displayed.
    fn type_rule(&self) -> Option<String> {
        self.rules
            .rules
            .iter()
            .find(|r| matches!(r, MatchingRule::Type { .. }))
            .map(ToString::to_string)
    }
}

/// Namespace URI and local name: what identifies an element or attribute.
type QName<'a> = (Option<&'a str>, &'a str);

fn qname<'a>(node: Node<'a, '_>) -> QName<'a> {
    let name = node.tag_name();
    (name.namespace(), name.name())
}

/// The name as written in the document (`prefix:local` or `local`).
fn written_name(node: Node) -> String {
    let input = node.document().input_text();
    let start = node.range().start + 1;
    let written: String = input
        .get(start..)
        .unwrap_or_default()
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
        .collect();
    if written.ends_with(node.tag_name().name()) {
        written
    } else {
        node.tag_name().name().to_string()
    }
}

fn written_attr_name(node: Node, attr: &Attribute) -> String {
    let input = node.document().input_text();
    match input.get(attr.range_qname()) {
        Some(w) if w.ends_with(attr.name()) => w.to_string(),
        _ => attr.name().to_string(),
    }
}

fn describe(node: Node) -> String {
    match node.tag_name().namespace() {
        Some(ns) => format!("<{}> (namespace {ns})", written_name(node)),
        None => format!("<{}>", written_name(node)),
    }
}

/// The element's own text: its text children, each trimmed, joined.
fn text_of(node: Node) -> String {
    node.children()
        .filter(Node::is_text)
        .filter_map(|t| t.text())
        .map(str::trim)
        .collect()
}

fn child_elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

/// A run of same-named children, in document order of first appearance.
struct Group<'a, 'i> {
    key: QName<'a>,
    name: String,
    nodes: Vec<Node<'a, 'i>>,
}

fn groups<'a, 'i>(node: Node<'a, 'i>) -> Vec<Group<'a, 'i>> {
    let mut out: Vec<Group<'a, 'i>> = Vec::new();
    let mut index: std::collections::HashMap<QName<'a>, usize> = std::collections::HashMap::new();
    for child in child_elements(node) {
        let key = qname(child);
        match index.get(&key) {
            Some(&i) => out[i].nodes.push(child),
            None => {
                index.insert(key, out.len());
                out.push(Group {
                    key,
                    name: written_name(child),
                    nodes: vec![child],
                });
            }
        }
    }
    out
}

fn text_value(s: &str) -> Value {
    Value::String(s.to_string())
}

struct Walker<'a> {
    rules: &'a RuleCategory,
    allow_unexpected: bool,
    label: &'a str,
    out: Vec<Mismatch>,
}

impl Walker<'_> {
    fn location(&self, steps: &[Step]) -> String {
        let rest = location_string(&segments(steps, Form::Indexed));
        if self.label.is_empty() {
            rest
        } else {
            format!("$.{}{}", self.label, &rest[1..])
        }
    }

    fn push(&mut self, steps: &[Step], message: String) -> &mut Mismatch {
        let m = Mismatch::new(MismatchKind::Body, self.location(steps), message);
        self.out.push(m);
        self.out.last_mut().expect("just pushed")
    }

    fn parse_failure(&mut self, which: &str, text: &str, error: Option<roxmltree::Error>) {
        let Some(error) = error else { return };
        let m = self.push(
            &[],
            format!("the {which} body is not well-formed XML: {error}"),
        );
        let value = Some(text_value(text));
        if which == "expected" {
            m.expected = value;
        } else {
            m.actual = value;
        }
    }

    /// The best rules at a node over the given spellings of its path: highest weight, then
    /// deepest rule path.
    fn resolve(&self, steps: &[Step], forms: &[Form]) -> Option<Found> {
        forms
            .iter()
            .filter_map(|form| {
                let location = segments(steps, *form);
                let resolved = self.rules.resolve(&location)?;
                let rank = (
                    resolved.path.weight(&location),
                    resolved.path.depth(),
                    resolved.exact,
                );
                Some((rank, resolved))
            })
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, r)| Found {
                exact: r.exact,
                rules: r.rules.clone(),
            })
    }

    fn compare_element(&mut self, steps: &mut Vec<Step>, e: Node, a: Node) {
        if steps.len() > MAX_DEPTH {
            let msg = format!("elements nested more than {MAX_DEPTH} deep are not compared");
            self.push(steps, msg);
            return;
        }
        if qname(e) != qname(a) {
            let msg = format!("expected element {} but found {}", describe(e), describe(a));
            let m = self.push(steps, msg);
            m.expected = Some(text_value(&written_name(e)));
            m.actual = Some(text_value(&written_name(a)));
            return;
        }
        self.check_element_rules(steps, a);
        self.compare_attributes(steps, e, a);
        self.compare_children(steps, e, a);
        self.compare_text(steps, e, a);
    }

    /// Rules written for the element itself: `type` bounds count its child elements and
    /// `notEmpty` asks for children or text. Value rules reach its text by cascading.
    fn check_element_rules(&mut self, steps: &[Step], a: Node) {
        let Some(found) = self.resolve(steps, &ELEMENT_FORMS).filter(|f| f.exact) else {
            return;
        };
        let children = child_elements(a).count();
        for (min, max, rule) in found.bounds() {
            if let Some(min) = min.filter(|m| children < *m) {
                let msg = format!(
                    "expected {} to have at least {min} child elements but found {children}",
                    describe(a)
                );
                self.push(steps, msg).rule = Some(rule.to_string());
            }
            if let Some(max) = max.filter(|m| children > *m) {
                let msg = format!(
                    "expected {} to have at most {max} child elements but found {children}",
                    describe(a)
                );
                self.push(steps, msg).rule = Some(rule.to_string());
            }
        }
        let not_empty = found
            .rules
            .rules
            .iter()
            .any(|r| matches!(r, MatchingRule::NotEmpty));
        if not_empty && children == 0 && text_of(a).is_empty() {
            let msg = format!("expected {} to have content but it was empty", describe(a));
            self.push(steps, msg).rule = Some(MatchingRule::NotEmpty.to_string());
        }
    }

    fn compare_attributes(&mut self, steps: &mut Vec<Step>, e: Node, a: Node) {
        for attr in e.attributes() {
            let key = (attr.namespace(), attr.name());
            steps.push(Step::Key(format!("@{}", written_attr_name(e, &attr))));
            match a.attributes().find(|x| (x.namespace(), x.name()) == key) {
                Some(found) => self.compare_value(steps, attr.value(), found.value()),
                None => {
                    let msg = format!(
                        "expected attribute `{}`={:?} but it was missing",
                        attr.name(),
                        attr.value()
                    );
                    self.push(steps, msg).expected = Some(text_value(attr.value()));
                }
            }
            steps.pop();
        }
        if self.allow_unexpected {
            return;
        }
        let expected_has = |x: &Attribute| {
            e.attributes()
                .any(|y| (y.namespace(), y.name()) == (x.namespace(), x.name()))
        };
        for attr in a.attributes().filter(|x| !expected_has(x)) {
            steps.push(Step::Key(format!("@{}", written_attr_name(a, &attr))));
            let msg = format!("unexpected attribute `{}`={:?}", attr.name(), attr.value());
            self.push(steps, msg).actual = Some(text_value(attr.value()));
            steps.pop();
        }
    }

    /// Compares an attribute value or text under the rules at `steps`, or for equality.
    fn compare_value(&mut self, steps: &[Step], expected: &str, actual: &str) {
        match self.resolve(steps, &ALL_FORMS) {
            Some(found) => self.check_text(steps, &found.rules, expected, actual),
            None if expected == actual => {}
            None => {
                let msg = format!(
                    "expected {} but found {}",
                    show(&text_value(expected)),
                    show(&text_value(actual))
                );
                let m = self.push(steps, msg);
                m.expected = Some(text_value(expected));
                m.actual = Some(text_value(actual));
            }
        }
    }

    fn check_text(&mut self, steps: &[Step], rules: &RuleList, expected: &str, actual: &str) {
        if let Err(failures) = check_text_rules(rules, expected, actual) {
            for f in failures {
                let m = self.push(steps, f.reason);
                m.expected = Some(text_value(expected));
                m.actual = Some(text_value(actual));
                m.rule = Some(f.rule);
            }
        }
    }

    fn compare_text(&mut self, steps: &mut Vec<Step>, e: Node, a: Node) {
        let (expected, actual) = (text_of(e), text_of(a));
        steps.push(Step::Key("#text".into()));
        let exact_rule = self.resolve(steps, &ALL_FORMS).is_some_and(|f| f.exact);
        if !expected.is_empty() || !actual.is_empty() || exact_rule {
            self.compare_value(steps, &expected, &actual);
        }
        steps.pop();
    }

    fn compare_children(&mut self, steps: &mut Vec<Step>, e: Node, a: Node) {
        let mut actual_groups: Vec<Option<Group>> = groups(a).into_iter().map(Some).collect();
        let index: std::collections::HashMap<QName, usize> = actual_groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.as_ref().map(|g| (g.key, i)))
            .collect();
        for group in groups(e) {
            let actual = index
                .get(&group.key)
                .and_then(|&i| actual_groups[i].take())
                .map(|g| g.nodes)
                .unwrap_or_default();
            steps.push(Step::Key(group.name.clone()));
            let found = self.resolve(steps, &ALL_FORMS);
            steps.pop();
            match found {
                Some(found) => self.group_with_rules(steps, &group, &found, &actual),
                None => self.group_exact(steps, &group, &actual),
            }
        }
        for group in actual_groups.into_iter().flatten() {
            self.unexpected_group(steps, &group);
        }
    }

    /// Children the expected element has none of: an error in requests, and wherever a
    /// `type` rule covers them.
    fn unexpected_group(&mut self, steps: &mut Vec<Step>, group: &Group) {
        steps.push(Step::Key(group.name.clone()));
        let type_rule = self.resolve(steps, &ALL_FORMS).and_then(|f| f.type_rule());
        steps.pop();
        if self.allow_unexpected && type_rule.is_none() {
            return;
        }
        for (i, node) in group.nodes.iter().enumerate() {
            steps.push(Step::Element(group.name.clone(), Some(i)));
            let msg = match type_rule {
                Some(_) => format!("unexpected element {}: a type rule covers this element and the example has none", describe(*node)),
                None => format!("unexpected element {}", describe(*node)),
            };
            let m = self.push(steps, msg);
            m.actual = Some(text_value(&group.name));
            m.rule.clone_from(&type_rule);
            steps.pop();
        }
    }

    /// Without rules, the children must correspond one to one, in order.
    fn group_exact(&mut self, steps: &mut Vec<Step>, group: &Group, actual: &[Node]) {
        let (n_exp, n_act) = (group.nodes.len(), actual.len());
        for i in 0..n_exp.max(n_act) {
            steps.push(Step::Element(group.name.clone(), Some(i)));
            match (group.nodes.get(i), actual.get(i)) {
                (Some(e), Some(a)) => self.compare_element(steps, *e, *a),
                (Some(e), None) => {
                    let msg = format!(
                        "expected {n_exp} {} element(s) but found {n_act}: index {i} is missing",
                        describe(*e)
                    );
                    self.push(steps, msg).expected = Some(text_value(&group.name));
                }
                (None, Some(a)) if !self.allow_unexpected => {
                    let msg = format!(
                        "unexpected {} element at index {i} (expected {n_exp})",
                        describe(*a)
                    );
                    self.push(steps, msg).actual = Some(text_value(&group.name));
                }
                _ => {}
            }
            steps.pop();
        }
    }

    /// With rules, any number of children is fine (within `type` bounds), each matched
    /// against the example at its index or the first example.
    fn group_with_rules(
        &mut self,
        steps: &mut Vec<Step>,
        group: &Group,
        found: &Found,
        actual: &[Node],
    ) {
        if !self.group_bounds(steps, group, found, actual.len()) {
            return;
        }
        let mut contains = false;
        for rule in &found.rules.rules {
            match rule {
                MatchingRule::EachValue(inner) => self.each_value(steps, group, inner, actual),
                MatchingRule::ArrayContains(variants) => {
                    contains = true;
                    self.array_contains(steps, group, variants, actual);
                }
                _ => {}
            }
        }
        if contains {
            return;
        }
        for (i, node) in actual.iter().enumerate() {
            if let Some(template) = group.nodes.get(i).or(group.nodes.first()) {
                steps.push(Step::Element(group.name.clone(), Some(i)));
                self.compare_element(steps, *template, *node);
                steps.pop();
            }
        }
    }

    /// Checks the number of children against exact `type` bounds; an absent group is a
    /// mismatch unless a bound allows zero. False when nothing is left to compare.
    fn group_bounds(
        &mut self,
        steps: &mut Vec<Step>,
        group: &Group,
        found: &Found,
        count: usize,
    ) -> bool {
        steps.push(Step::Key(group.name.clone()));
        let bounds = found.bounds();
        for (min, max, rule) in &bounds {
            let what = &group.name;
            if let Some(min) = min.filter(|m| count < *m) {
                let msg = format!("expected at least {min} <{what}> elements but found {count}");
                self.push(steps, msg).rule = Some(rule.to_string());
            }
            if let Some(max) = max.filter(|m| count > *m) {
                let msg = format!("expected at most {max} <{what}> elements but found {count}");
                self.push(steps, msg).rule = Some(rule.to_string());
            }
        }
        let bounded = bounds.iter().any(|(min, _, _)| min.is_some());
        if count == 0 && !bounded {
            let msg = format!("expected {} but it was missing", describe(group.nodes[0]));
            self.push(steps, msg).expected = Some(text_value(&group.name));
        }
        steps.pop();
        count > 0
    }

    fn each_value(
        &mut self,
        steps: &mut Vec<Step>,
        group: &Group,
        rules: &RuleList,
        actual: &[Node],
    ) {
        let template = text_of(group.nodes[0]);
        for (i, node) in actual.iter().enumerate() {
            steps.push(Step::Element(group.name.clone(), Some(i)));
            steps.push(Step::Key("#text".into()));
            self.check_text(steps, rules, &template, &text_of(*node));
            steps.pop();
            steps.pop();
        }
    }

    fn array_contains(
        &mut self,
        steps: &mut Vec<Step>,
        group: &Group,
        variants: &[ArrayVariant],
        actual: &[Node],
    ) {
        steps.push(Step::Key(group.name.clone()));
        for variant in variants {
            let Some(example) = group.nodes.get(variant.index) else {
                let msg = format!(
                    "arrayContains variant {} has no example element",
                    variant.index
                );
                self.push(steps, msg);
                continue;
            };
            let found = actual
                .iter()
                .any(|node| self.variant_matches(variant, *example, *node));
            if !found {
                let msg = format!(
                    "expected an element matching the example {} at index {}",
                    describe(*example),
                    variant.index
                );
                self.push(steps, msg).rule =
                    Some(format!("arrayContains variant {}", variant.index));
            }
        }
        steps.pop();
    }

    fn variant_matches(&self, variant: &ArrayVariant, example: Node, node: Node) -> bool {
        let mut sub = Walker {
            rules: &variant.rules,
            allow_unexpected: self.allow_unexpected,
            label: "",
            out: Vec::new(),
        };
        sub.compare_element(&mut Vec::new(), example, node);
        sub.out.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::path::RulePath;
    use proptest::prelude::*;

    fn rules(entries: &[(&str, MatchingRule)]) -> RuleCategory {
        let mut cat = RuleCategory::default();
        for (path, rule) in entries {
            cat.add(RulePath::parse(path).unwrap(), rule.clone());
        }
        cat
    }

    fn locations(m: &[Mismatch]) -> Vec<&str> {
        m.iter().map(|m| m.location.as_str()).collect()
    }

    fn request(e: &str, a: &str, cat: &RuleCategory) -> Vec<Mismatch> {
        match_xml(e, a, cat, "body", false)
    }

    fn response(e: &str, a: &str, cat: &RuleCategory) -> Vec<Mismatch> {
        match_xml(e, a, cat, "body", true)
    }

    #[test]
    fn identical_documents_match() {
        let doc = r#"<?xml version="1.0"?><a x="1"><b>t</b><b>u</b><c/></a>"#;
        assert!(request(doc, doc, &RuleCategory::default()).is_empty());
    }

    #[test]
    fn attribute_order_and_whitespace_do_not_matter() {
        let e = r#"<a x="1" y="2"><b> t </b></a>"#;
        let a = "<a y=\"2\" x=\"1\">\n  <b>t</b>\n</a>";
        assert!(request(e, a, &RuleCategory::default()).is_empty());
    }

    #[test]
    fn attribute_value_mismatch_is_located() {
        let m = request(
            r#"<animals><alligator name="Mary"/><alligator name="Sue"/></animals>"#,
            r#"<animals><alligator name="Mary"/><alligator name="Bob"/></animals>"#,
            &RuleCategory::default(),
        );
        assert_eq!(m.len(), 1);
        let expected = location_string(&[
            Segment::Key("animals".into()),
            Segment::Key("alligator".into()),
            Segment::Index(1),
            Segment::Key("@name".into()),
        ]);
        assert_eq!(m[0].location, format!("$.body{}", &expected[1..]));
    }

    #[test]
    fn text_mismatch_is_located() {
        let m = request(
            "<a><b>red</b></a>",
            "<a><b>blue</b></a>",
            &RuleCategory::default(),
        );
        let expected = location_string(&[
            Segment::Key("a".into()),
            Segment::Key("b".into()),
            Segment::Index(0),
            Segment::Key("#text".into()),
        ]);
        assert_eq!(locations(&m), vec![format!("$.body{}", &expected[1..])]);
    }

    #[test]
    fn unexpected_attributes_and_children_only_fail_requests() {
        let (e, a) = (r#"<a x="1"><b/></a>"#, r#"<a x="1" y="2"><b/><b/><c/></a>"#);
        assert_eq!(request(e, a, &RuleCategory::default()).len(), 3);
        assert!(response(e, a, &RuleCategory::default()).is_empty());
    }

    #[test]
    fn missing_attribute_and_child_fail_everywhere() {
        let (e, a) = (r#"<a x="1"><b/><b/><c/></a>"#, "<a><b/></a>");
        assert_eq!(response(e, a, &RuleCategory::default()).len(), 3);
    }

    #[test]
    fn namespaces_compare_by_uri_not_prefix() {
        let e = r#"<x:a xmlns:x="urn:a" xmlns:n="urn:n" n:id="1"><x:b>t</x:b></x:a>"#;
        let a = r#"<a xmlns="urn:a" xmlns:m="urn:n" m:id="1"><b>t</b></a>"#;
        assert!(request(e, a, &RuleCategory::default()).is_empty());
        let other = r#"<x:a xmlns:x="urn:other" xmlns:n="urn:n" n:id="1"><x:b>t</x:b></x:a>"#;
        assert_eq!(request(e, other, &RuleCategory::default()).len(), 1);
        assert_eq!(
            response("<a/>", r#"<a xmlns="urn:a"/>"#, &RuleCategory::default()).len(),
            1
        );
    }

    #[test]
    fn regex_rule_on_attribute_in_every_path_form() {
        let regex = || MatchingRule::Regex(crate::contract::rules::Pattern::new("\\d+").unwrap());
        let (e, a) = (r#"<r><p n="1"/></r>"#, r#"<r><p n="2"/><p n="x"/></r>"#);
        for path in ["$.r.p['@n']", "$.r.p[*]['@n']", "$.r[*].p['@n']"] {
            let cat = rules(&[
                (
                    "$.r",
                    MatchingRule::Type {
                        min: None,
                        max: None,
                    },
                ),
                (path, regex()),
            ]);
            let m = response(e, a, &cat);
            assert_eq!(m.len(), 1, "{path}: {m:?}");
            assert!(m[0].location.contains("p[1]"), "{path}: {}", m[0].location);
        }
    }

    #[test]
    fn type_rule_with_min_counts_children() {
        let cat = rules(&[(
            "$.r",
            MatchingRule::Type {
                min: Some(2),
                max: None,
            },
        )]);
        assert_eq!(request("<r><p/></r>", "<r><p/></r>", &cat).len(), 1);
        assert!(request("<r><p/></r>", "<r><p/><p/></r>", &cat).is_empty());
        let group = rules(&[(
            "$.r.p",
            MatchingRule::Type {
                min: Some(2),
                max: Some(3),
            },
        )]);
        assert!(request("<r><p/></r>", "<r><p/><p/></r>", &group).is_empty());
        assert_eq!(request("<r><p/></r>", "<r><p/></r>", &group).len(), 1);
        assert_eq!(
            request("<r><p/></r>", "<r><p/><p/><p/><p/></r>", &group).len(),
            1
        );
    }

    #[test]
    fn type_rule_rejects_children_of_another_name() {
        let cat = rules(&[(
            "$.people",
            MatchingRule::Type {
                min: None,
                max: None,
            },
        )]);
        let e = "<people><person>Fred</person></people>";
        assert!(response(
            e,
            "<people><person>Al</person><person>Bo</person></people>",
            &cat
        )
        .is_empty());
        assert_eq!(
            response(e, "<people><person>Al</person><cat>Bo</cat></people>", &cat).len(),
            1
        );
    }

    #[test]
    fn malformed_input_is_a_mismatch() {
        let m = request("<a>", "<a/>", &RuleCategory::default());
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].location, "$.body");
        assert_eq!(
            request("<a/>", "not xml", &RuleCategory::default()).len(),
            1
        );
        assert_eq!(request("", "", &RuleCategory::default()).len(), 2);
    }

    #[test]
    fn deep_nesting_is_reported_not_overflowed() {
        let deep = format!("{}{}", "<a>".repeat(50_000), "</a>".repeat(50_000));
        let m = request(&deep, &deep, &RuleCategory::default());
        assert_eq!(m.len(), 1);
        assert!(m[0].message.contains("nested"));
    }

    fn arb_xmlish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<a>".to_string()),
            Just("</a>".to_string()),
            Just("<b x=\"1\"/>".to_string()),
            Just("<n:c xmlns:n=\"urn:n\">".to_string()),
            Just("</n:c>".to_string()),
            "[a-z0-9 ]{0,4}",
        ];
        proptest::collection::vec(piece, 0..10).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_strings(e in ".{0,40}", a in ".{0,40}") {
            let _ = match_xml(&e, &a, &RuleCategory::default(), "body", false);
        }

        #[test]
        fn never_panics_on_xml_like_strings(e in arb_xmlish(), a in arb_xmlish(), allow in any::<bool>()) {
            let cat = rules(&[("$.a", MatchingRule::Type { min: Some(1), max: Some(2) }), ("$.a.b['@x']", MatchingRule::Integer)]);
            let _ = match_xml(&e, &a, &cat, "contents", allow);
            let _ = match_xml(&format!("<a>{e}</a>"), &format!("<a>{a}</a>"), &cat, "body", allow);
        }
    }
}
