//! The matrix's query: selectors (`q[][pacticipant]`, `q[][version]`, `q[][latest]`,
//! `q[][tag]`, `q[][branch]`, `q[][environment]`, `q[][mainBranch]`), `ignore[]`, and the
//! options (`latestby`, `latest`, `tag`, `environment`, `mainBranch`, `success[]`).
//!
//! Clients send each selector's keys together (`q[][pacticipant]=A&q[][version]=1&
//! q[][pacticipant]=B…`), read as Rack does: a key the current selector already has starts
//! the next one. A query whose keys were sorted (every `pacticipant` first, as a recorded
//! contract replays them) has lost that grouping: each value then goes to the selector
//! whose pacticipant has it (a version it published, a tag it carries), in order.

/// One selector of the matrix.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatrixSelector {
    /// The pacticipant.
    pub pacticipant: String,
    /// A version number.
    pub version: Option<String>,
    /// Only the latest version (of the tag or branch, when given).
    pub latest: bool,
    /// Versions with this tag.
    pub tag: Option<String>,
    /// Versions on this branch.
    pub branch: Option<String>,
    /// Versions currently in this environment.
    pub environment: Option<String>,
    /// Versions on the pacticipant's main branch.
    pub main_branch: bool,
}

/// A parsed matrix query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatrixQuery {
    /// The selectors, in order.
    pub selectors: Vec<MatrixSelector>,
    /// Pacticipants (and versions) whose rows do not count.
    pub ignore: Vec<(String, Option<String>)>,
    /// `cvpv` or `cvp`.
    pub latestby: Option<String>,
    /// With one selector: against the latest version of each other pacticipant.
    pub latest: bool,
    /// … of each other pacticipant with this tag.
    pub tag: Option<String>,
    /// … in this environment.
    pub environment: Option<String>,
    /// … on its main branch.
    pub main_branch: bool,
    /// Only rows with these verification outcomes.
    pub success: Vec<bool>,
}

/// What a pacticipant has, for placing the values of a sorted query.
pub trait Known {
    /// Whether `pacticipant` has version `number`.
    fn has_version(&self, pacticipant: &str, number: &str) -> bool;
    /// Whether a version of `pacticipant` carries `tag`.
    fn has_tag(&self, pacticipant: &str, tag: &str) -> bool;
}

fn attribute(key: &str) -> Option<&str> {
    key.strip_prefix("q[][")
        .or_else(|| key.strip_prefix("q[]["))?
        .strip_suffix(']')
}

fn truthy(v: &str) -> bool {
    v == "true"
}

fn set(s: &mut MatrixSelector, attr: &str, value: &str) {
    match attr {
        "pacticipant" => s.pacticipant = value.into(),
        "version" => s.version = Some(value.into()),
        "latest" => s.latest = truthy(value),
        "tag" => s.tag = Some(value.into()),
        "branch" => s.branch = Some(value.into()),
        "environment" => s.environment = Some(value.into()),
        "mainBranch" => s.main_branch = truthy(value),
        _ => {}
    }
}

fn has(s: &MatrixSelector, attr: &str) -> bool {
    match attr {
        "pacticipant" => !s.pacticipant.is_empty(),
        "version" => s.version.is_some(),
        "latest" => s.latest,
        "tag" => s.tag.is_some(),
        "branch" => s.branch.is_some(),
        "environment" => s.environment.is_some(),
        "mainBranch" => s.main_branch,
        _ => false,
    }
}

/// Rack's reading: a key the last selector has starts a new one.
fn grouped(entries: &[(&str, &str)]) -> Vec<MatrixSelector> {
    let mut out: Vec<MatrixSelector> = Vec::new();
    for (attr, value) in entries {
        if out.last().is_none_or(|s| has(s, attr)) {
            out.push(MatrixSelector::default());
        }
        if let Some(s) = out.last_mut() {
            set(s, attr, value);
        }
    }
    out
}

/// The sorted reading: selectors from the pacticipants, each other value placed on the
/// selector that has it.
fn placed(entries: &[(&str, &str)], known: &dyn Known) -> Vec<MatrixSelector> {
    let mut out: Vec<MatrixSelector> = entries
        .iter()
        .filter(|(a, _)| *a == "pacticipant")
        .map(|(_, v)| MatrixSelector {
            pacticipant: (*v).into(),
            ..MatrixSelector::default()
        })
        .collect();
    let pick = |out: &[MatrixSelector],
                fits: &dyn Fn(&MatrixSelector) -> bool,
                free: &dyn Fn(&MatrixSelector) -> bool| {
        out.iter()
            .position(|s| free(s) && fits(s))
            .or_else(|| out.iter().position(free))
    };
    for (attr, value) in entries.iter().filter(|(a, _)| *a == "version") {
        let _ = attr;
        if let Some(i) = pick(&out, &|s| known.has_version(&s.pacticipant, value), &|s| {
            s.version.is_none()
        }) {
            out[i].version = Some((*value).into());
        }
    }
    for (attr, value) in entries
        .iter()
        .filter(|(a, _)| matches!(*a, "tag" | "branch" | "environment" | "mainBranch"))
    {
        let fits = |s: &MatrixSelector| *attr != "tag" || known.has_tag(&s.pacticipant, value);
        if let Some(i) = pick(&out, &fits, &|s| s.version.is_none() && !has(s, attr)) {
            set(&mut out[i], attr, value);
        }
    }
    for (_, value) in entries.iter().filter(|(a, _)| *a == "latest") {
        let qualified = |s: &MatrixSelector| s.tag.is_some() || s.branch.is_some();
        if let Some(i) = pick(&out, &qualified, &|s| s.version.is_none() && !s.latest) {
            out[i].latest = truthy(value);
        }
    }
    out
}

/// Whether the pacticipant keys are interleaved with the others (the client's grouping
/// survived), or all together (sorted).
fn interleaved(entries: &[(&str, &str)]) -> bool {
    let firsts: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, (a, _))| *a == "pacticipant")
        .map(|(i, _)| i)
        .collect();
    match (firsts.first(), firsts.last()) {
        (Some(&a), Some(&b)) => firsts.len() < 2 || b - a + 1 > firsts.len(),
        _ => true,
    }
}

/// Parses the query's pairs.
pub fn parse(pairs: &[(String, String)], known: &dyn Known) -> MatrixQuery {
    let entries: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| attribute(k).map(|a| (a, v.as_str())))
        .collect();
    let selectors = if interleaved(&entries) {
        grouped(&entries)
    } else {
        placed(&entries, known)
    };
    let mut q = MatrixQuery {
        selectors,
        ..MatrixQuery::default()
    };
    let mut ignore: Vec<(&str, &str)> = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "latestby" => q.latestby = Some(v.clone()),
            "latest" => q.latest = truthy(v),
            "tag" => q.tag = Some(v.clone()),
            "environment" => q.environment = Some(v.clone()),
            "mainBranch" => q.main_branch = truthy(v),
            "success[]" | "success" => q.success.push(truthy(v)),
            "ignore[]" => q.ignore.push((v.clone(), None)),
            "ignore[][pacticipant]" => ignore.push(("pacticipant", v)),
            "ignore[][version]" => ignore.push(("version", v)),
            _ => {}
        }
    }
    for s in grouped(&ignore) {
        q.ignore.push((s.pacticipant, s.version));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Versions;
    impl Known for Versions {
        fn has_version(&self, p: &str, v: &str) -> bool {
            matches!((p, v), ("Foo", "1.2.3") | ("Bar", "4.5.6"))
        }
        fn has_tag(&self, p: &str, t: &str) -> bool {
            p == "Foo" && t == "prod"
        }
    }

    fn pairs(q: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }

    #[test]
    fn should_read_selectors_as_clients_group_them() {
        let q = parse(&pairs("q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B&q[][latest]=true&q[][tag]=prod&latestby=cvpv"), &Versions);
        assert_eq!(q.selectors.len(), 2);
        assert_eq!(q.selectors[0].version.as_deref(), Some("1"));
        assert!(q.selectors[1].latest && q.selectors[1].tag.as_deref() == Some("prod"));
        assert_eq!(q.latestby.as_deref(), Some("cvpv"));
    }

    #[test]
    fn should_place_the_values_of_a_sorted_query_on_the_pacticipant_that_has_them() {
        let q = parse(
            &pairs("ignore[][pacticipant]=Foo&ignore[][version]=3.4.5&latestby=cvpv&q[][pacticipant]=Bar&q[][pacticipant]=Foo&q[][tag]=prod&q[][version]=4.5.6"),
            &Versions,
        );
        assert_eq!(
            q.selectors[0],
            MatrixSelector {
                pacticipant: "Bar".into(),
                version: Some("4.5.6".into()),
                ..Default::default()
            }
        );
        assert_eq!(
            q.selectors[1],
            MatrixSelector {
                pacticipant: "Foo".into(),
                tag: Some("prod".into()),
                ..Default::default()
            }
        );
        assert_eq!(
            q.ignore,
            vec![("Foo".to_string(), Some("3.4.5".to_string()))]
        );
    }
}
